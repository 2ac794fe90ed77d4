"""Running PlatformIO offline: a core dir with tool-scons provisioned, then ``pio`` commands.

tool-scons comes from ``bifsmn_mcu.pio_offline`` (see ../shared/notes/platformio-offline.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class PioError(RuntimeError):
    """A PlatformIO command failed; ``str()`` carries its output tail."""


def provision(core_dir: Path) -> Path:
    """tool-scons in ``core_dir`` from the pip-installed SCons (no registry); returns its folder."""
    from ..pio_offline import PioOfflineError, provision_tool_scons

    try:
        return provision_tool_scons(Path(core_dir))
    except PioOfflineError as err:
        raise PioError(str(err)) from err


def default_core_dir() -> Path:
    from ..pio_offline import core_dir

    return core_dir()


def pio_env(core_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PLATFORMIO_CORE_DIR"] = str(core_dir)
    env["PLATFORMIO_DISABLE_UPGRADE_CHECK"] = "true"
    env["PLATFORMIO_SETTING_ENABLE_TELEMETRY"] = "No"
    env.setdefault("PLATFORMIO_NO_ANSI", "true")
    return env


def run_pio(
    args: list[str], project_dir: Path, core_dir: Path | None = None, timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess:
    """``python -m platformio <args>`` in ``project_dir`` with an offline-ready core dir."""
    core = Path(core_dir) if core_dir else default_core_dir()
    provision(core)
    cmd = [sys.executable, "-m", "platformio", *args]
    proc = subprocess.run(
        cmd, cwd=project_dir, env=pio_env(core), capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise PioError(f"pio {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return proc


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for --upload-port)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(project_dir: Path, envs: list[str], core_dir: Path | None = None, timeout: float = 900) -> None:
    args = ["run"]
    for e in envs:
        args += ["-e", e]
    run_pio(args, project_dir, core_dir, timeout=timeout)


def upload_qemu(project_dir: Path, env: str, port: int, core_dir: Path | None = None) -> Path:
    """``pio run -e ENV -t upload --upload-port PORT``: QEMU runs in the background; returns its pid file."""
    run_pio(["run", "-e", env, "-t", "upload", "--upload-port", str(port)], project_dir, core_dir)
    return Path(project_dir) / ".pio" / "build" / env / "qemu.pid"
