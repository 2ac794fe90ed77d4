"""Running PlatformIO offline: a core dir with tool-scons provisioned, then ``pio`` commands.

Uses ``bifsmn_mcu.pio_offline.provision_tool_scons`` when the set-up code provides it, else a
local copy of the recipe in ../shared/notes/platformio-offline.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


class PioError(RuntimeError):
    """A PlatformIO command failed; ``str()`` carries its output tail."""


def _required_scons_version() -> str:
    try:
        from platformio.dependencies import get_core_dependencies

        return get_core_dependencies()["tool-scons"].lstrip("~^=")
    except Exception:  # noqa: BLE001 - platformio internals moved: fall back to 6.2.0's pin
        return "4.41101.0"


def _provision_local(core_dir: Path) -> Path:
    import shutil

    import SCons

    dest = core_dir / "packages" / "tool-scons"
    version = _required_scons_version()
    manifest = dest / "package.json"
    if (
        manifest.is_file()
        and json.loads(manifest.read_text()).get("version") == version
        and (dest / ".piopm").is_file()
    ):
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copytree(Path(SCons.__file__).parent, dest / "SCons")
    (dest / "scons.py").write_text(
        "import sys\nfrom SCons.Script.Main import main\nif __name__ == '__main__':\n    sys.exit(main())\n"
    )
    manifest.write_text(json.dumps({"name": "tool-scons", "version": version, "system": "*"}))
    (dest / ".piopm").write_text(
        json.dumps(
            {
                "type": "tool",
                "name": "tool-scons",
                "version": version,
                "spec": {
                    "owner": "platformio",
                    "id": None,
                    "name": "tool-scons",
                    "requirements": None,
                    "uri": None,
                },
            }
        )
    )
    return dest


def provision(core_dir: Path) -> Path:
    core_dir = Path(core_dir)
    core_dir.mkdir(parents=True, exist_ok=True)
    try:
        from ..pio_offline import provision_tool_scons  # type: ignore[import-not-found]
    except ImportError:
        return _provision_local(core_dir)
    provision_tool_scons(core_dir)
    return core_dir / "packages" / "tool-scons"


def default_core_dir() -> Path:
    env = os.environ.get("PLATFORMIO_CORE_DIR")
    return Path(env) if env else Path.home() / ".platformio"


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
