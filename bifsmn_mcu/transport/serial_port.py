"""Serial links through pyserial's ``serial_for_url``: /dev/ttyACM0, COM3, socket://host:port, loop://."""

from __future__ import annotations

import time

import serial

from .base import TransportError


class SerialTransport:
    def __init__(self, url: str, baudrate: int = 115200, open_timeout: float = 5.0) -> None:
        self.description = url
        deadline = time.monotonic() + open_timeout
        while True:
            try:
                self._port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.05, write_timeout=10)
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
        self._port.timeout = max(timeout, 0.0)
        try:
            data = self._port.read(max(1, self._port.in_waiting or 1))
            if data and self._port.in_waiting:
                data += self._port.read(self._port.in_waiting)
        except (serial.SerialException, OSError) as err:
            raise TransportError(f"{self.description}: link lost: {err}") from err
        return bytes(data)

    def close(self) -> None:
        try:
            self._port.close()
        except (serial.SerialException, OSError):
            pass
