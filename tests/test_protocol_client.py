"""DeviceClient against a scripted fake link: resends, clip restarts, resynchronisation."""

from __future__ import annotations

import numpy as np
import pytest
from fakes.scripted_link import ScriptedLink, ack, error, result, silence

from bifsmn_mcu.protocol.client import DeviceClient, DeviceError, DeviceTimeout, ProtocolError
from bifsmn_mcu.protocol.frame import encode_frame
from bifsmn_mcu.protocol.messages import ErrorCode, MsgType, Result

FEATS = np.zeros((32, 32), np.int16)
PCM = np.arange(3500, dtype=np.int16)  # 4 chunks of at most 1000 samples


def _client(link: ScriptedLink, retries: int = 2) -> DeviceClient:
    return DeviceClient(link, timeout=0.2, retries=retries)


@pytest.mark.parametrize("code", [ErrorCode.BAD_CRC, ErrorCode.TRUNCATED])
def test_line_fault_is_resent(code: ErrorCode) -> None:
    link = ScriptedLink([error(code), result()])
    client = _client(link)
    assert client.infer_features(FEATS) == Result(1, (3, 9), 10, 20)
    assert len(link.requests) == 2 and link.requests[0] == link.requests[1]
    assert client.link_stats()["resends"] == 1  # the report shows it


def test_line_faults_count_as_attempts() -> None:
    link = ScriptedLink([error(ErrorCode.BAD_CRC)] * 3 + [result()])
    with pytest.raises(DeviceError, match="BAD_CRC.*after 2 attempts"):
        _client(link, retries=1).infer_features(FEATS)
    assert len(link.requests) == 2


def test_other_device_errors_are_not_resent() -> None:
    link = ScriptedLink([error(ErrorCode.BAD_SIZE), result()])
    with pytest.raises(DeviceError, match="BAD_SIZE"):
        _client(link).infer_features(FEATS)
    assert len(link.requests) == 1


def test_pcm_clip_restarts_after_bad_state() -> None:
    """The device reset mid-clip: it answers the next chunk BAD_STATE; the clip starts over."""
    link = ScriptedLink([ack(), error(ErrorCode.BAD_STATE), ack(), ack(), ack(), result()])
    client = _client(link)
    assert client.infer_pcm(PCM) == Result(1, (3, 9), 10, 20)
    assert client.link_stats()["clip_restarts"] == 1
    flags = [r.payload[0] for r in link.requests]
    assert flags == [1, 0, 1, 0, 0, 2]  # first, (lost), first again, ..., last
    assert all(r.type == MsgType.INFER_PCM for r in link.requests)


def test_pcm_clip_restarts_after_a_damaged_chunk() -> None:
    link = ScriptedLink([ack(), ack(), error(ErrorCode.BAD_CRC), ack(), ack(), ack(), result()])
    assert _client(link).infer_pcm(PCM).label == 1
    assert [r.payload[0] for r in link.requests] == [1, 0, 0, 1, 0, 0, 2]


def test_corrupted_length_byte_does_not_swallow_the_reply() -> None:
    """A reply whose length byte was hit (0xF000 > MAX_PAYLOAD), then a valid RESULT."""
    junk = b"\xb1\xf5\x01\x82\x01\x00\xf0"
    link = ScriptedLink([lambda req: junk + result()(req)])
    assert _client(link).infer_features(FEATS) == Result(1, (3, 9), 10, 20)
    assert len(link.requests) == 1


def test_a_cut_reply_is_dropped_before_the_resend() -> None:
    """A plausible header (length 1500) whose frame never completes: the resend's reply is read."""
    cut = b"\xb1\xf5\x01\x82\x01" + (1500).to_bytes(2, "little") + b"\x00" * 10
    link = ScriptedLink([lambda req: cut, result()])
    client = _client(link)
    assert client.infer_features(FEATS).label == 1
    assert len(link.requests) == 2
    assert client.link_stats()["skipped_bytes"] >= len(cut) - 2  # the dropped partial frame is counted


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (ack(), "answered INFER_FEATURES with PCM_ACK, expected RESULT"),
        (lambda req: encode_frame(MsgType.RESULT, req.seq, b"\x01\x00"), "malformed RESULT reply"),
    ],
    ids=["wrong-type", "short-result"],
)
def test_wrong_or_malformed_reply_is_a_protocol_error(reply, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        _client(ScriptedLink([reply])).infer_features(FEATS)


def test_short_pcm_ack_is_a_protocol_error() -> None:
    link = ScriptedLink([lambda req: encode_frame(MsgType.PCM_ACK, req.seq, b"\x01\x00")])
    with pytest.raises(ProtocolError, match="malformed PCM_ACK"):
        _client(link).infer_pcm(PCM)


def test_pcm_timeout_counts_the_clip_attempts() -> None:
    link = ScriptedLink([ack(), silence(), ack(), silence()])
    with pytest.raises(DeviceTimeout, match=r"\(2 attempts at the whole clip\)"):
        DeviceClient(link, timeout=0.05, retries=1).infer_pcm(PCM)
    assert [r.payload[0] for r in link.requests] == [1, 0, 1, 0]


def test_client_refuses_negative_retries() -> None:
    with pytest.raises(ValueError, match="retries"):
        DeviceClient(ScriptedLink([]), retries=-1)
