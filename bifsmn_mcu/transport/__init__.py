"""Device links sharing one interface: ``open_transport("socket://127.0.0.1:4321")``,
``open_transport("/dev/ttyACM0")``, ``open_transport("host:.pio/build/host/program")``."""

from __future__ import annotations

from .base import Transport, TransportError


def open_transport(url: str, baudrate: int = 115200, open_timeout: float = 5.0) -> Transport:
    if url.startswith("host:"):
        from .host_process import HostProcessTransport

        return HostProcessTransport(url[len("host:") :])
    from .serial_port import SerialTransport

    return SerialTransport(url, baudrate=baudrate, open_timeout=open_timeout)


__all__ = ["Transport", "TransportError", "open_transport"]
