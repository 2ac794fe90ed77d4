"""Frame codec, the Python twin of ``firmware/protocol`` (see bifsmn_proto.h for the layout).

0xB1 0xF5 | version u8 | type u8 | seq u8 | len u16 LE | payload | crc16 u16 LE
crc16 = binascii.crc_hqx(version..payload, 0xFFFF)   (CRC-16/CCITT-FALSE, as in C)
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass

SYNC = b"\xb1\xf5"
VERSION = 1
HEADER_SIZE = 7
CRC_SIZE = 2
MAX_PAYLOAD = 2048  # BIFSMN_PROTO_MAX_PAYLOAD (the device reports its own in INFO)


def crc16(data: bytes, crc: int = 0xFFFF) -> int:
    return binascii.crc_hqx(data, crc)


@dataclass(frozen=True)
class Frame:
    type: int
    seq: int
    payload: bytes = b""
    version: int = VERSION


def encode_frame(type_: int, seq: int, payload: bytes = b"", *, version: int = VERSION) -> bytes:
    """Bytes of one frame (no size limit here: fault tests send oversized frames on purpose)."""
    if not 0 <= type_ < 256 or not 0 <= seq < 256:
        raise ValueError("type and seq are single bytes")
    if len(payload) > 0xFFFF:
        raise ValueError("payload longer than 65535 bytes")
    body = struct.pack("<BBBH", version, type_, seq, len(payload)) + bytes(payload)
    return SYNC + body + struct.pack("<H", crc16(body))


class FrameDecoder:
    """Incremental decoder: ``feed(bytes)`` returns the complete, CRC-valid frames found.

    Bytes that are not part of a valid frame are skipped (counted in ``skipped``); another
    version, a length over ``max_payload`` or a bad CRC is a false sync (as in the C parser):
    the candidate is dropped and the search resumes one byte after its sync marker.
    """

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self._buf = bytearray()
        self.max_payload = max_payload
        self.skipped = 0
        self.bad_crc = 0

    def reset(self) -> None:
        """Drops a partly received frame (before a resend: its rest will never come)."""
        self.skipped += len(self._buf)
        self._buf.clear()

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while True:
            i = self._buf.find(SYNC)
            if i < 0:
                keep = 1 if self._buf[-1:] == SYNC[:1] else 0
                self.skipped += len(self._buf) - keep
                del self._buf[: len(self._buf) - keep]
                return frames
            if i:
                self.skipped += i
                del self._buf[:i]
            if len(self._buf) < HEADER_SIZE:
                return frames
            version, type_, seq, length = struct.unpack_from("<BBBH", self._buf, 2)
            if version != VERSION or length > self.max_payload:
                self.skipped += 1
                del self._buf[:1]
                continue
            end = HEADER_SIZE + length + CRC_SIZE
            if len(self._buf) < end:
                return frames
            body = bytes(self._buf[2 : HEADER_SIZE + length])
            (crc_rx,) = struct.unpack_from("<H", self._buf, HEADER_SIZE + length)
            if crc_rx != crc16(body):
                self.bad_crc += 1
                self.skipped += 1
                del self._buf[:1]
                continue
            frames.append(Frame(type_, seq, bytes(self._buf[HEADER_SIZE : HEADER_SIZE + length]), version))
            del self._buf[:end]
