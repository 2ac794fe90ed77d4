"""Fault handling of the real firmware in QEMU (mps2-an386): every malformed input gets an ERROR
reply and the next valid request still gets the host simulation's exact logits."""

from __future__ import annotations

import struct
import time

import numpy as np
import pytest
from conftest import require_tool
from fakes.fw_project import firmware_model, generate_project, running_qemu

from bifsmn_mcu.protocol.client import DeviceClient, DeviceError
from bifsmn_mcu.protocol.frame import SYNC, encode_frame
from bifsmn_mcu.protocol.messages import NO_SEQ, ErrorCode, MsgType, parse_error, pcm_payload
from bifsmn_mcu.simulate.host import HostModel
from bifsmn_mcu.transport import open_transport

pytestmark = pytest.mark.qemu


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory):
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    tmp = tmp_path_factory.mktemp("faults")
    ir, _ = firmware_model(tmp)
    project = generate_project(tmp / "proj", ir)
    with running_qemu(project) as (port, _pid), HostModel.build(ir, workdir=tmp / "sim") as host:
        client = DeviceClient(open_transport(f"socket://127.0.0.1:{port}"), timeout=5, retries=1)
        yield client, host, ir
        client.close()


def _features(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(3800, 16000, size=(32, 32)).astype(np.int16)


def _valid_request_still_works(client: DeviceClient, host: HostModel, seed: int) -> None:
    f = _features(seed)
    res = client.infer_features(f)
    assert list(res.logits) == [int(v) for v in host.infer_features(f[None])[0]]


def _error_reply(client: DeviceClient, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fr = client.read_frame(deadline - time.monotonic())
        if fr is not None and fr.type == MsgType.ERROR:
            return fr, parse_error(fr.payload)
    pytest.fail("no ERROR reply within the timeout")


def test_info_and_valid_inference(device) -> None:
    client, host, ir = device
    info = client.info()
    assert info["model_sha256"] == ir.sha256
    assert (info["counter"], info["icount_shift"], info["board"]) == ("systick-icount", 3, "qemu-m4")
    assert info["labels"] == ir.labels
    _valid_request_still_works(client, host, 0)


def test_garbage_bytes(device) -> None:
    client, host, _ = device
    client.send_raw(
        np.random.default_rng(1).integers(0, 256, 300, dtype=np.uint8).tobytes().replace(SYNC, b"xy")
    )
    fr, err = _error_reply(client)
    assert err.code == ErrorCode.GARBAGE and fr.seq == NO_SEQ
    _valid_request_still_works(client, host, 1)


def test_bad_crc(device) -> None:
    client, host, _ = device
    raw = bytearray(encode_frame(MsgType.INFER_FEATURES, 17, _features(2).tobytes()))
    raw[-1] ^= 0x5A
    client.send_raw(bytes(raw))
    fr, err = _error_reply(client)
    assert (err.code, fr.seq) == (ErrorCode.BAD_CRC, 17)
    _valid_request_still_works(client, host, 2)


def test_truncated_frame(device) -> None:
    client, host, _ = device
    client.send_raw(encode_frame(MsgType.INFER_FEATURES, 18, _features(3).tobytes())[:-700])
    fr, err = _error_reply(client)
    assert (err.code, fr.seq) == (ErrorCode.TRUNCATED, 18)
    _valid_request_still_works(client, host, 3)


def test_oversized_length(device) -> None:
    client, host, _ = device
    client.send_raw(SYNC + struct.pack("<BBBH", 1, MsgType.INFER_FEATURES, 19, 60000) + bytes(100))
    fr, err = _error_reply(client)
    assert (err.code, fr.seq) == (ErrorCode.OVERSIZED, 19)
    client.drain(0.5)  # the 100 payload bytes that followed are reported as garbage
    _valid_request_still_works(client, host, 4)


def test_unknown_type(device) -> None:
    client, host, _ = device
    with pytest.raises(DeviceError) as exc:
        client.request(0x42, b"abc")
    assert exc.value.reply.code == ErrorCode.UNKNOWN_TYPE
    _valid_request_still_works(client, host, 5)


@pytest.mark.parametrize(
    ("type_", "payload", "code"),
    [
        (MsgType.INFER_FEATURES, bytes(2046), ErrorCode.BAD_SIZE),
        (MsgType.INFER_FEATURES, b"", ErrorCode.BAD_SIZE),
        (MsgType.INFER_PCM, b"\x01\x00\x05", ErrorCode.BAD_SIZE),  # odd sample bytes
        (MsgType.INFER_PCM, pcm_payload(np.zeros(10, np.int16), first=False, last=True), ErrorCode.BAD_STATE),
        (MsgType.INFER_PCM, pcm_payload(np.zeros(100, np.int16), first=True, last=True), ErrorCode.BAD_SIZE),
    ],
    ids=["features-short", "features-empty", "pcm-odd", "pcm-no-first", "pcm-short-clip"],
)
def test_wrong_size_input(device, type_: int, payload: bytes, code: int) -> None:
    client, host, _ = device
    with pytest.raises(DeviceError) as exc:
        client.request(type_, payload)
    assert exc.value.reply.code == code
    _valid_request_still_works(client, host, 6)


def test_pcm_too_long_then_pcm_ok(device) -> None:
    client, host, _ = device
    pcm = np.random.default_rng(8).integers(-4000, 4000, 16000).astype(np.int16)
    long = np.concatenate([pcm, pcm[:1000]])
    with pytest.raises(DeviceError) as exc:
        client.infer_pcm(long)
    assert exc.value.reply.code == ErrorCode.BAD_SIZE
    res = client.infer_pcm(pcm)
    _feats, logits = host.infer_pcm(pcm[None])
    assert list(res.logits) == [int(v) for v in logits[0]]
    assert res.cycles_frontend > 0 and res.cycles_network > 0
