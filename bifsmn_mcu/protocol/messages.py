"""Message types and payloads of the bifsmn-mcu protocol (twin of bifsmn_proto.h)."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class MsgType(IntEnum):
    INFO_REQ = 0x01
    INFER_FEATURES = 0x02
    INFER_PCM = 0x03
    SET_WIDTH = 0x04
    INFO = 0x81
    RESULT = 0x82
    PCM_ACK = 0x83
    ERROR = 0xEE


class ErrorCode(IntEnum):
    BAD_CRC = 1
    TRUNCATED = 2
    OVERSIZED = 3
    UNKNOWN_TYPE = 4
    BAD_SIZE = 5
    BAD_VERSION = 6
    GARBAGE = 7
    BAD_STATE = 8
    BAD_WIDTH = 9


PCM_FIRST = 0x01
PCM_LAST = 0x02
NO_SEQ = 0xFF  # sequence number of errors not tied to a frame (garbage); hosts never send it


@dataclass(frozen=True)
class Result:
    label: int
    logits: tuple[int, ...]
    cycles_frontend: int
    cycles_network: int


@dataclass(frozen=True)
class DeviceErrorReply:
    code: int
    detail: int
    text: str

    @property
    def name(self) -> str:
        try:
            return ErrorCode(self.code).name
        except ValueError:
            return f"code {self.code}"


def features_payload(features: np.ndarray) -> bytes:
    return np.ascontiguousarray(features, dtype="<i2").tobytes()


def pcm_payload(samples: np.ndarray, *, first: bool, last: bool) -> bytes:
    flags = (PCM_FIRST if first else 0) | (PCM_LAST if last else 0)
    return bytes([flags, 0]) + np.ascontiguousarray(samples, dtype="<i2").tobytes()


def parse_result(payload: bytes) -> Result:
    if len(payload) < 12:
        raise ValueError(f"RESULT payload too short ({len(payload)} bytes)")
    label, n, fe, nn = struct.unpack_from("<HHII", payload)
    if len(payload) != 12 + 4 * n:
        raise ValueError(f"RESULT payload of {len(payload)} bytes does not hold {n} logits")
    logits = struct.unpack_from(f"<{n}i", payload, 12)
    return Result(label, tuple(logits), fe, nn)


def parse_error(payload: bytes) -> DeviceErrorReply:
    if len(payload) < 2:
        return DeviceErrorReply(0, 0, "malformed error reply")
    return DeviceErrorReply(payload[0], payload[1], payload[2:].decode("ascii", "replace"))


def parse_pcm_ack(payload: bytes) -> tuple[int, int]:
    samples, frames = struct.unpack_from("<IH", payload)
    return samples, frames


def parse_info(payload: bytes) -> dict:
    try:
        info = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"INFO reply is not valid JSON ({err}): {payload[:80]!r}") from err
    if not isinstance(info, dict):
        raise ValueError("INFO reply is not a JSON object")
    return info
