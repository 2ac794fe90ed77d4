"""Stopping (and inspecting) the QEMU instances that ``pio run -t upload`` starts.

The dev-platform's upload writes ``<project>/.pio/build/<env>/qemu.pid`` holding
``"<pid> <port>"``; QEMU runs in its own process group (under ``timeout``), so stopping it
signals that group only.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


class QemuError(RuntimeError):
    """No pid file, or a QEMU that would not stop."""


def pid_file_for(project_dir: Path | str, env: str) -> Path:
    return Path(project_dir) / ".pio" / "build" / env / "qemu.pid"


def read_pid_file(pid_file: Path | str) -> tuple[int, int]:
    """(pid, port) from a pid file written by the upload target."""
    try:
        pid, port = Path(pid_file).read_text().split()[:2]
        return int(pid), int(port)
    except (OSError, ValueError) as err:
        raise QemuError(f"no QEMU pid file at {pid_file} ({err})") from err


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.is_file() and stat.read_text().split(")")[-1].split()[0] == "Z")


def stop_qemu(pid_file: Path | str, timeout: float = 5.0) -> bool:
    """Stop the QEMU of ``pid_file`` (SIGTERM, then SIGKILL); True if one was running."""
    pid, _port = read_pid_file(pid_file)
    was_running = is_running(pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not is_running(pid):
            break
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        except PermissionError as err:
            raise QemuError(f"not allowed to stop process group {pid}: {err}") from err
        deadline = time.monotonic() + timeout
        while is_running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    if is_running(pid):
        raise QemuError(f"QEMU (pid {pid}) did not stop")
    Path(pid_file).unlink(missing_ok=True)
    return was_running
