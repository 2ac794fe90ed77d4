"""Frame codec: Python twin alone, and the C codec (host gcc, ASan/UBSan) against it."""

from __future__ import annotations

import random
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool

from bifsmn_mcu.protocol.frame import MAX_PAYLOAD, SYNC, FrameDecoder, crc16, encode_frame
from bifsmn_mcu.protocol.messages import ErrorCode, parse_result
from bifsmn_mcu.resources import firmware_dir
from bifsmn_mcu.toolchain import compile_host

FAKES = Path(__file__).parent / "fakes"


def test_crc_is_ccitt_false() -> None:
    assert crc16(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE check value


def test_roundtrip_with_noise_between_frames() -> None:
    rng = random.Random(1)
    frames = [
        (rng.randrange(256), rng.randrange(255), rng.randbytes(rng.randrange(0, 300))) for _ in range(40)
    ]
    stream = b"".join(
        rng.randbytes(rng.randrange(0, 20)).replace(SYNC, b"xx") + encode_frame(*f) for f in frames
    )
    dec = FrameDecoder()
    got = []
    for i in range(0, len(stream), 7):  # arbitrary chunking
        got += dec.feed(stream[i : i + 7])
    assert [(f.type, f.seq, f.payload) for f in got] == frames


def test_bad_crc_dropped_and_next_frame_found() -> None:
    bad = bytearray(encode_frame(2, 5, b"abc"))
    bad[-1] ^= 0xFF
    dec = FrameDecoder()
    got = dec.feed(bytes(bad) + encode_frame(2, 6, b"xyz"))
    assert [(f.seq, f.payload) for f in got] == [(6, b"xyz")]
    assert dec.bad_crc == 1


def test_result_payload_parse() -> None:
    logits = [-5, 7, 2**31 - 1, -(2**31)]
    payload = struct.pack("<HHII4i", 1, 4, 10, 20, *logits)
    r = parse_result(payload)
    assert (r.label, r.logits, r.cycles_frontend, r.cycles_network) == (1, tuple(logits), 10, 20)
    with pytest.raises(ValueError):
        parse_result(payload[:-1])


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("gcc")
    proto = firmware_dir() / "protocol"
    out = tmp_path_factory.mktemp("proto") / "proto_harness"
    return compile_host(
        [FAKES / "proto_harness.c", *sorted(proto.glob("*.c"))], out, include_dirs=[proto], sanitize=True
    )


def _parse(harness: Path, data: bytes) -> list[str]:
    proc = subprocess.run([str(harness), "parse"], input=data, capture_output=True, check=True, timeout=30)
    return proc.stdout.decode().splitlines()


def test_c_encoder_equals_python(harness: Path) -> None:
    rng = random.Random(2)
    for n in (0, 1, 17, 255, 2048):
        payload = rng.randbytes(n)
        t, s = rng.randrange(256), rng.randrange(256)
        out = subprocess.run(
            [str(harness), "encode", str(t), str(s), payload.hex()],
            capture_output=True,
            check=True,
            text=True,
        ).stdout.strip()
        assert bytes.fromhex(out) == encode_frame(t, s, payload)


def test_c_parser_decodes_python_frames(harness: Path) -> None:
    rng = random.Random(3)
    frames = [
        (rng.randrange(256), rng.randrange(255), rng.randbytes(rng.randrange(0, 2049))) for _ in range(20)
    ]
    lines = _parse(harness, b"".join(encode_frame(*f) for f in frames))
    assert lines == [f"FRAME {t} {s} {p.hex()}" for t, s, p in frames]


def test_c_parser_faults(harness: Path) -> None:
    ok = encode_frame(2, 9, b"hello")
    bad_crc = bytearray(encode_frame(2, 7, b"abc"))
    bad_crc[-2] ^= 1
    oversized = SYNC + struct.pack("<BBBH", 1, 2, 3, MAX_PAYLOAD + 1)
    assert _parse(harness, bytes(bad_crc) + ok) == [
        f"ERROR {ErrorCode.BAD_CRC} 2",
        f"FRAME 2 9 {b'hello'.hex()}",
    ]
    assert _parse(harness, oversized)[0] == f"ERROR {ErrorCode.OVERSIZED} 2"
    assert _parse(harness, ok[:-3]) == [f"ERROR {ErrorCode.TRUNCATED} 2"]
    assert _parse(harness, b"\x00garbage") == [f"ERROR {ErrorCode.GARBAGE} 8"]
    assert _parse(harness, b"zz" + ok) == [f"ERROR {ErrorCode.GARBAGE} 2", f"FRAME 2 9 {b'hello'.hex()}"]
    assert _parse(harness, encode_frame(2, 1, b"", version=9))[0] == f"ERROR {ErrorCode.BAD_VERSION} 9"


def test_c_parser_survives_random_bytes(harness: Path) -> None:
    rng = random.Random(4)
    noise = rng.randbytes(20000) + SYNC + rng.randbytes(50)
    lines = _parse(harness, noise + encode_frame(1, 4, b"end"))
    assert lines[-1] == f"FRAME 1 4 {b'end'.hex()}"


def test_other_version_is_a_false_sync() -> None:
    """As in the C parser: a header with another version is not a frame start, so a corrupted
    version byte cannot make the decoder wait for a payload that never comes."""
    dec = FrameDecoder()
    assert dec.max_payload == MAX_PAYLOAD
    head = SYNC + bytes([7, 0x82, 1]) + (100).to_bytes(2, "little")
    got = dec.feed(head + encode_frame(0x82, 2, b"ok"))
    assert [(f.seq, f.payload) for f in got] == [(2, b"ok")]
    assert dec.feed(encode_frame(0x82, 3, b"v2", version=2)) == []
