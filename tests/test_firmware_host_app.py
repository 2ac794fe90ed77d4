"""The device app, protocol and host-stdio seam built with host gcc + ASan/UBSan around a fake
model (tests/fakes/fakekws), driven over the host-process transport: the same client code as
for serial devices. Fast; the QEMU tests cover the real model."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import require_tool
from fakes import fakekws

from bifsmn_mcu.project import write_project
from bifsmn_mcu.protocol.client import DeviceClient, DeviceError
from bifsmn_mcu.protocol.frame import SYNC, encode_frame
from bifsmn_mcu.protocol.messages import NO_SEQ, ErrorCode, MsgType, parse_error
from bifsmn_mcu.toolchain import compile_host
from bifsmn_mcu.transport import open_transport

FAKE = Path(__file__).parent / "fakes" / "fakekws"
LABELS = ["_unknown_", "_silence_", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("gcc")
    out = tmp_path_factory.mktemp("hostapp")
    lib = out / "lib" / "fakekws"
    lib.mkdir(parents=True)
    for f in FAKE.iterdir():
        shutil.copy2(f, lib / f.name)
    write_project(
        out,
        board="host",
        prefix="fakekws",
        model_sha256="fa4e" * 16,
        width="1/2,1/8",
        labels=LABELS,
        feature_config={"n_mels": 32},
    )
    assert "default_envs = host" in (out / "platformio.ini").read_text()
    sources = sorted((out / "src").glob("*.c")) + [lib / "fakekws.c"]
    defines = {
        "BIFSMN_BSP_HOST": None,
        "BIFSMN_BOARD": "host",
        "BIFSMN_CORE": "host",
        "BIFSMN_COUNTER": "clock-ns",
        "BIFSMN_CLOCK_HZ": 1000000000,
    }
    return compile_host(
        sources, out / "program", include_dirs=[out / "include", lib], defines=defines, sanitize=True
    )


@pytest.fixture()
def client(program: Path):
    c = DeviceClient(open_transport(f"host:{program}"), timeout=3, retries=0)
    yield c
    c.close()


def _feats(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 20000, (32, 32)).astype(np.int16)


def test_info(client: DeviceClient) -> None:
    info = client.info()
    assert info["model_sha256"] == "fa4e" * 16 and info["width"] == "1/2" and info["labels"] == LABELS
    assert info["widths"] == ["1/2", "1/8"]
    assert (info["board"], info["core"], info["counter"], info["protocol"]) == ("host", "host", "clock-ns", 1)


def test_features_and_pcm_match_the_twin(client: DeviceClient) -> None:
    f = _feats(0)
    r = client.infer_features(f)
    assert list(r.logits) == fakekws.logits(f) and r.label == int(np.argmax(fakekws.logits(f)))
    pcm = np.random.default_rng(1).integers(-30000, 30000, 16000).astype(np.int16)
    for chunk in (1000, 333):
        r = client.infer_pcm(pcm, chunk=chunk)
        assert list(r.logits) == fakekws.logits(fakekws.features(pcm))
        assert r.cycles_frontend > 0


def test_every_fault_then_a_valid_request(client: DeviceClient) -> None:
    bad_crc = bytearray(encode_frame(MsgType.INFER_FEATURES, 3, _feats(1).tobytes()))
    bad_crc[-1] ^= 1
    cases = [
        (bytes(range(1, 120)), ErrorCode.GARBAGE, NO_SEQ),
        (bytes(bad_crc), ErrorCode.BAD_CRC, 3),
        (encode_frame(MsgType.INFER_FEATURES, 4, _feats(2).tobytes())[:-500], ErrorCode.TRUNCATED, 4),
        (SYNC + struct.pack("<BBBH", 1, 2, 5, 40000), ErrorCode.OVERSIZED, 5),
        (encode_frame(0x77, 6, b"x"), ErrorCode.UNKNOWN_TYPE, 6),
        (encode_frame(MsgType.INFER_FEATURES, 7, bytes(10)), ErrorCode.BAD_SIZE, 7),
        (encode_frame(MsgType.INFO_REQ, 8, b"", version=2), ErrorCode.BAD_VERSION, 8),
    ]
    for i, (raw, code, seq) in enumerate(cases):
        client.send_raw(raw)
        fr = client.read_frame(3)
        assert fr is not None and fr.type == MsgType.ERROR, code
        assert (parse_error(fr.payload).code, fr.seq) == (code, seq)
        client.drain(0.3)
        f = _feats(10 + i)
        assert list(client.infer_features(f).logits) == fakekws.logits(f)


def test_pcm_protocol_errors(client: DeviceClient) -> None:
    with pytest.raises(DeviceError) as e:
        client.request(MsgType.INFER_PCM, bytes([2, 0, 1, 0]))  # last chunk with no first chunk
    assert e.value.reply.code == ErrorCode.BAD_STATE
    with pytest.raises(DeviceError) as e:
        client.infer_pcm(np.zeros(17000, np.int16))
    assert e.value.reply.code == ErrorCode.BAD_SIZE


def test_set_width_switches_the_path_and_refuses_others(client: DeviceClient) -> None:
    f = _feats(3)
    assert client.set_width("1/8")["width"] == "1/8"
    assert list(client.infer_features(f).logits) == fakekws.logits(f, "1/8")
    assert client.info()["width"] == "1/8"
    for bad, code in (("1", ErrorCode.BAD_WIDTH), ("1/8 ", ErrorCode.BAD_WIDTH), ("", ErrorCode.BAD_SIZE)):
        with pytest.raises(DeviceError) as e:
            client.set_width(bad)
        assert e.value.reply.code == code, bad
    with pytest.raises(DeviceError) as e:
        client.request(MsgType.SET_WIDTH, b"12345678")  # longer than any path name
    assert e.value.reply.code == ErrorCode.BAD_SIZE
    assert client.info()["width"] == "1/8"  # refused requests leave the path as it was
    assert client.set_width("1/2")["width"] == "1/2"
    assert list(client.infer_features(f).logits) == fakekws.logits(f)
