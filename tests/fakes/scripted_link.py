"""A fake device link for client/runner tests: each write is answered by the next scripted reply.

link = ScriptedLink([error(ErrorCode.BAD_CRC), result()])   # replies use the request's seq
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

from bifsmn_mcu.protocol.frame import Frame, FrameDecoder, encode_frame
from bifsmn_mcu.protocol.messages import MsgType

Reply = Callable[[Frame], bytes]


def result(label: int = 1, logits: tuple[int, ...] = (3, 9), fe: int = 10, nn: int = 20) -> Reply:
    payload = struct.pack(f"<HHII{len(logits)}i", label, len(logits), fe, nn, *logits)
    return lambda req: encode_frame(MsgType.RESULT, req.seq, payload)


def error(code: int, text: bytes = b"fault") -> Reply:
    return lambda req: encode_frame(MsgType.ERROR, req.seq, bytes([code, req.type]) + text)


def ack(samples: int = 1000, frames: int = 6) -> Reply:
    return lambda req: encode_frame(MsgType.PCM_ACK, req.seq, struct.pack("<IH", samples, frames))


def raw(data: bytes) -> Reply:
    return lambda req: data


def silence() -> Reply:
    return lambda req: b""


class ScriptedLink:
    """Transport whose device answers every write with the next reply of the script (then nothing)."""

    description = "scripted link"

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[Frame] = []
        self._rx = bytearray()

    def write(self, data: bytes) -> None:
        (req,) = FrameDecoder().feed(data)
        self.requests.append(req)
        if self.replies:
            self._rx += self.replies.pop(0)(req)

    def read(self, timeout: float) -> bytes:
        if not self._rx:
            time.sleep(min(timeout, 0.005))
            return b""
        out = bytes(self._rx)
        self._rx.clear()
        return out

    def close(self) -> None:
        pass


def info(model_sha256: str, width: str = "1", board: str = "fake-board", **extra: object) -> Reply:
    import json

    doc = {"model_sha256": model_sha256, "width": width, "board": board, "core": "cortex-m4"}
    doc |= {"counter": "dwt", "clock_hz": 1_000_000, "protocol": 1, **extra}
    return lambda req: encode_frame(MsgType.INFO, req.seq, json.dumps(doc).encode())
