"""One byte-stream interface for every device link (serial port, TCP socket, host process)."""

from __future__ import annotations

from typing import Protocol


class TransportError(ConnectionError):
    """The link could not be opened or broke (port missing, QEMU gone, process exited)."""


class Transport(Protocol):
    description: str

    def write(self, data: bytes) -> None: ...

    def read(self, timeout: float) -> bytes:
        """Bytes available within ``timeout`` seconds (b"" if none); raises TransportError if closed."""
        ...

    def close(self) -> None: ...
