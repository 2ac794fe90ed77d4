"""Request/reply client over any transport: sequence numbers, timeouts and retries.

dev = DeviceClient(open_transport("socket://127.0.0.1:4321"))
info = dev.info(); res = dev.infer_features(feats); res = dev.infer_pcm(pcm)
info = dev.set_width("1/4")  # firmware built with several widths (generate --width 1,1/4)
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from ..transport.base import Transport, TransportError
from .frame import Frame, FrameDecoder, encode_frame
from .messages import (
    NO_SEQ,
    DeviceErrorReply,
    ErrorCode,
    MsgType,
    Result,
    features_payload,
    parse_error,
    parse_info,
    parse_pcm_ack,
    parse_result,
    pcm_payload,
)

PCM_CHUNK_SAMPLES = 1000  # 2002-byte payloads, under the 2048-byte frame limit

# Errors of the device's frame parser: the request never reached the app, so resending it is safe
# (one corrupted byte on a UART gives one of these; the device tags them with the request's seq).
LINE_FAULTS = frozenset({ErrorCode.BAD_CRC, ErrorCode.TRUNCATED, ErrorCode.OVERSIZED, ErrorCode.BAD_VERSION})


class DeviceError(RuntimeError):
    """The device answered a request with an ERROR frame."""

    def __init__(self, reply: DeviceErrorReply, note: str = "") -> None:
        super().__init__(f"device error {reply.name} ({reply.text})" + (f" after {note}" if note else ""))
        self.reply = reply


class DeviceTimeout(TimeoutError):
    """No reply within the timeout after all retries."""


class ProtocolError(ValueError):
    """The device's reply is of the wrong type or its payload does not parse."""


T = TypeVar("T")


class DeviceClient:
    def __init__(self, transport: Transport, timeout: float = 5.0, retries: int = 2) -> None:
        if timeout <= 0 or retries < 0:
            raise ValueError(f"timeout must be > 0 and retries >= 0 (got {timeout}, {retries})")
        self.transport = transport
        self.timeout = timeout
        self.retries = retries
        self._decoder = FrameDecoder()
        self._pending: list[Frame] = []
        self._seq = 0
        self.unsolicited: list[DeviceErrorReply] = []  # errors not tied to a request (garbage)
        self.resends = 0  # requests sent again (no reply in time, or damaged on the way)
        self.clip_restarts = 0  # PCM clips streamed again from their first chunk

    def next_seq(self) -> int:
        self._seq = (self._seq + 1) % NO_SEQ  # 0..254; 255 is NO_SEQ
        return self._seq

    def send_raw(self, data: bytes) -> None:
        self.transport.write(data)

    def read_frame(self, timeout: float) -> Frame | None:
        """The next frame within ``timeout`` seconds, or None."""
        deadline = time.monotonic() + timeout
        while not self._pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._pending.extend(self._decoder.feed(self.transport.read(min(left, 0.2))))
        return self._pending.pop(0)

    def drain(self, quiet: float = 0.3) -> list[Frame]:
        """Read and return frames until the line is quiet for ``quiet`` seconds."""
        out = []
        while (f := self.read_frame(quiet)) is not None:
            out.append(f)
        return out

    def wait_reply(self, seq: int, timeout: float) -> Frame | None:
        deadline = time.monotonic() + timeout
        while True:
            f = self.read_frame(max(0.0, deadline - time.monotonic()))
            if f is None:
                return None
            if f.type == MsgType.ERROR and f.seq == NO_SEQ:
                self.unsolicited.append(parse_error(f.payload))
                continue
            if f.seq != seq or f.type < 0x80:
                continue  # stale reply of an earlier, retried request
            if f.type == MsgType.ERROR:
                raise DeviceError(parse_error(f.payload))
            return f

    def request(
        self, type_: int, payload: bytes = b"", timeout: float | None = None, retries: int | None = None
    ) -> Frame:
        timeout = self.timeout if timeout is None else timeout
        retries = self.retries if retries is None else retries
        seq = self.next_seq()
        frame = encode_frame(type_, seq, payload)
        fault: DeviceError | None = None
        for attempt in range(retries + 1):
            if attempt:
                self._decoder.reset()  # a reply cut short (or a false sync) must not swallow the next
                self.resends += 1
            self.transport.write(frame)
            try:
                reply = self.wait_reply(seq, timeout)
            except DeviceError as err:
                if err.reply.code not in LINE_FAULTS:
                    raise
                fault = err  # the frame was damaged on the way: send it again
                continue
            fault = None
            if reply is not None:
                return reply
        if fault is not None:
            raise _line_fault(fault, _attempts(retries + 1))
        raise self._no_reply(timeout, _attempts(retries + 1))

    def _no_reply(self, timeout: float, attempts: str) -> DeviceTimeout:
        return DeviceTimeout(
            f"no reply from {self.transport.description} within {timeout:g} s "
            f"({attempts}); is the device running and on this port?"
        )

    def call(
        self,
        type_: int,
        payload: bytes,
        expect: int,
        parse: Callable[[bytes], T],
        timeout: float | None = None,
        retries: int | None = None,
    ) -> T:
        """``request``, then checks the reply is an ``expect`` and parses it (else ProtocolError)."""
        reply = self.request(type_, payload, timeout=timeout, retries=retries)
        if reply.type != expect:
            raise ProtocolError(
                f"device answered {_name(type_)} with {_name(reply.type)}, expected {_name(expect)}"
            )
        try:
            return parse(reply.payload)
        except (ValueError, struct.error) as err:
            raise ProtocolError(f"malformed {_name(expect)} reply to {_name(type_)}: {err}") from err

    def info(self, timeout: float | None = None) -> dict:
        return self.call(MsgType.INFO_REQ, b"", MsgType.INFO, parse_info, timeout=timeout)

    def set_width(self, width: str) -> dict:
        """Switch the firmware to the thin path ``width``; returns its INFO afterwards (``width`` = the
        path it now runs). DeviceError BAD_WIDTH when the firmware does not hold that path."""
        return self.call(MsgType.SET_WIDTH, width.encode("ascii"), MsgType.INFO, parse_info)

    def infer_features(self, features: np.ndarray) -> Result:
        return self.call(MsgType.INFER_FEATURES, features_payload(features), MsgType.RESULT, parse_result)

    def infer_pcm(self, pcm: np.ndarray, chunk: int = PCM_CHUNK_SAMPLES) -> Result:
        """Streams one clip in chunks; on a lost or damaged chunk, or a device that lost the clip
        (BAD_STATE: reset mid-clip), the whole clip restarts (first flag)."""
        pcm = np.asarray(pcm, dtype=np.int16)
        starts = list(range(0, len(pcm), chunk)) or [0]
        last_err: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._decoder.reset()
                self.clip_restarts += 1
            try:
                for i, s in enumerate(starts):
                    first, last = i == 0, i == len(starts) - 1
                    payload = pcm_payload(pcm[s : s + chunk], first=first, last=last)
                    if last:
                        return self.call(MsgType.INFER_PCM, payload, MsgType.RESULT, parse_result, retries=0)
                    self.call(MsgType.INFER_PCM, payload, MsgType.PCM_ACK, parse_pcm_ack, retries=0)
            except DeviceTimeout as err:
                last_err = err
            except DeviceError as err:
                if err.reply.code not in LINE_FAULTS | {ErrorCode.BAD_STATE}:
                    raise
                last_err = err
        attempts = f"{_attempts(self.retries + 1)} at the whole clip"
        if isinstance(last_err, DeviceError):
            if last_err.reply.code in LINE_FAULTS:
                raise _line_fault(last_err, attempts)
            raise DeviceError(last_err.reply, attempts)
        raise self._no_reply(self.timeout, attempts)

    def link_stats(self) -> dict[str, int]:
        """How healthy the link was so far: resends, clip restarts, frames with a bad CRC, bytes
        skipped while looking for a frame, device errors not tied to a request."""
        return {
            "resends": self.resends,
            "clip_restarts": self.clip_restarts,
            "bad_crc_frames": self._decoder.bad_crc,
            "skipped_bytes": self._decoder.skipped,
            "unsolicited_errors": len(self.unsolicited),
        }

    def close(self) -> None:
        try:
            self.transport.close()
        except TransportError:
            pass


def _line_fault(fault: DeviceError, attempts: str) -> DeviceError:
    return DeviceError(fault.reply, f"{attempts}; is the serial line noisy or the baud rate wrong?")


def _attempts(n: int) -> str:
    return f"{n} attempt{'s' if n != 1 else ''}"


def _name(type_: int) -> str:
    try:
        return MsgType(type_).name
    except ValueError:
        return f"type 0x{type_:02x}"
