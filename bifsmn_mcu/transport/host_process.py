"""The host build of the firmware (``pio run -e host``) as a device: protocol over its stdin/stdout."""

from __future__ import annotations

import os
import select
import subprocess
from pathlib import Path

from .base import TransportError


class HostProcessTransport:
    def __init__(self, program: Path | str) -> None:
        program = Path(program)
        if not program.is_file():
            raise TransportError(f"host firmware {program} not found (build it: pio run -e host)")
        self.description = f"host:{program}"
        self._proc = subprocess.Popen(
            [str(program)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
        )

    def write(self, data: bytes) -> None:
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as err:
            raise TransportError(f"{self.description} exited ({self._proc.poll()})") from err

    def read(self, timeout: float) -> bytes:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], max(timeout, 0.0))
        if not ready:
            return b""
        data = os.read(fd, 65536)
        if not data:
            raise TransportError(f"{self.description} exited ({self._proc.wait()})")
        return data

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.close()
                self._proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()
