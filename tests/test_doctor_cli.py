"""`bifsmn-mcu doctor` on this machine and on a PATH where tools are really absent."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from conftest import require_tool

from bifsmn_mcu import doctor

CLI = [str(Path(sys.executable).with_name("bifsmn-mcu"))]
TOOLS = ["arm-none-eabi-gcc", "qemu-system-arm", "gcc", "espeak-ng", "flite"]


def _doctor(core: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLATFORMIO_CORE_DIR": str(core)}
    env.pop("PLATFORMIO_PACKAGES_DIR", None)
    if path is not None:
        env["PATH"] = path
    return subprocess.run([*CLI, "doctor", *args], capture_output=True, text=True, env=env, timeout=180)


def _lines(out: str) -> dict[str, str]:
    """component name -> its report line (status in columns 0-7, name in 8-37)"""
    statuses = ("ok", "MISSING", "warn")
    return {line[8:38].strip(): line for line in out.splitlines() if line[:8].strip() in statuses}


def test_offline_setup_then_everything_required_is_ok(tmp_path: Path) -> None:
    for t in TOOLS:
        require_tool(t)
    proc = _doctor(tmp_path, "--offline-setup")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("provisioned tool-scons ")
    lines = _lines(proc.stdout)
    for m, core in doctor.qemu_machines():
        assert lines[f"qemu machine {m}"].startswith("ok "), lines[f"qemu machine {m}"]
        assert core in lines[f"qemu machine {m}"]
    arm = subprocess.run(["arm-none-eabi-gcc", "-dumpversion"], capture_output=True, text=True).stdout.strip()
    host = subprocess.run(["gcc", "-dumpfullversion"], capture_output=True, text=True).stdout.strip()
    assert lines["arm-none-eabi-gcc"].startswith("ok ") and arm in lines["arm-none-eabi-gcc"]
    assert host in lines["gcc (host)"] and lines["gcc (host)"].startswith("ok ")
    import platformio

    assert platformio.__version__ in lines["platformio"]
    scons_line = lines["platformio tool-scons"]
    assert scons_line.startswith("ok ") and str(tmp_path.resolve()) in scons_line
    assert any(w in lines["platformio registry"] for w in ("reachable", "unreachable"))
    for name in ("espeak-ng", "flite", "torch (training)", "newlib (arm-none-eabi libc)"):
        assert lines[name].startswith("ok "), lines[name]
    assert proc.stdout.rstrip().endswith("all required components present")


def test_missing_tools_get_a_hint_and_a_failing_exit(tmp_path: Path) -> None:
    # a PATH holding only a real gcc: the ARM toolchain, QEMU and the TTS engines are truly absent
    gcc = require_tool("gcc")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gcc").symlink_to(gcc)
    proc = _doctor(tmp_path / "core", path=str(bin_dir))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = _lines(proc.stdout)
    assert (
        lines["arm-none-eabi-gcc"].startswith("MISSING")
        and "apt-get install -y gcc-arm-none-eabi" in lines["arm-none-eabi-gcc"]
    )
    assert "apt-get install -y qemu-system-arm" in lines["qemu-system-arm"]
    for m, _ in doctor.qemu_machines():
        assert lines[f"qemu machine {m}"].startswith("MISSING")
    assert lines["flite"].startswith("MISSING") and "(optional)" in lines["flite"]
    compile_line = lines["g++, Python.h (--compile)"]  # no g++ on this PATH
    assert compile_line.startswith("MISSING") and "g++ not found (optional)" in compile_line
    assert lines["gcc (host)"].startswith("ok ")
    assert "missing required:" in proc.stderr and "arm-none-eabi-gcc" in proc.stderr
    assert "flite" not in proc.stderr.split("missing required:")[1]  # optional ones do not fail the run


def test_qemu_machines_come_from_the_board_table() -> None:
    from bifsmn_mcu.boards import qemu_boards

    machines = [m for m, _ in doctor.qemu_machines()]
    assert machines == list(dict.fromkeys(b.qemu_machine for b in qemu_boards()))
    # DESIGN.md's emulated boards: M3, M4, M7, M33, M55
    assert {"mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505", "mps3-an547"} <= set(machines)


def test_registry_probe_is_a_real_tcp_connect() -> None:
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        assert doctor._reachable("127.0.0.1", port, timeout=1.0)
    assert not doctor._reachable("127.0.0.1", port, timeout=1.0)  # closed now: refused, no hang


def test_probe_hosts_come_from_platformio() -> None:
    import platformio

    assert doctor.registry_hosts() == list(platformio.__registry_mirror_hosts__)
    assert doctor.registry_hosts()
