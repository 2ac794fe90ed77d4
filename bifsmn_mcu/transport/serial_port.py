"""Serial links through pyserial's ``serial_for_url``: /dev/ttyACM0, COM3, socket://host:port, loop://."""

from __future__ import annotations

import time

import serial

from .base import TransportError

_POLL_S = 0.05  # longest single blocking read; read(timeout) loops over these


class SerialTransport:
    def __init__(self, url: str, baudrate: int = 115200, open_timeout: float = 5.0) -> None:
        self.description = url
        deadline = time.monotonic() + open_timeout
        while True:
            try:
                self._port = serial.serial_for_url(url, baudrate=baudrate, timeout=_POLL_S, write_timeout=10)
                break
            except (serial.SerialException, OSError, ValueError) as err:
                if time.monotonic() >= deadline or not url.startswith("socket://"):
                    raise TransportError(f"cannot open {url}: {err}") from err
                time.sleep(0.1)  # QEMU may still be starting

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
            self._port.flush()
        except (serial.SerialException, OSError) as err:
            raise TransportError(f"{self.description}: write failed: {err}") from err

    def read(self, timeout: float) -> bytes:
        # The port keeps its fixed 50 ms poll timeout: changing ``timeout`` reconfigures a real
        # serial port (termios) on every call, so the wait is a loop of short reads instead.
        deadline = time.monotonic() + max(timeout, 0.0)
        try:
            while True:
                data = self._port.read(self._port.in_waiting or 1)
                if data:
                    if self._port.in_waiting:
                        data += self._port.read(self._port.in_waiting)
                    return bytes(data)
                if time.monotonic() >= deadline:
                    return b""
        except (serial.SerialException, OSError) as err:
            raise TransportError(f"{self.description}: link lost: {err}") from err

    def close(self) -> None:
        try:
            self._port.close()
        except (serial.SerialException, OSError):
            pass
