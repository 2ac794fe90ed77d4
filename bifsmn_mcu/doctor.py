"""Checks of the external components the toolchain runs: compilers, QEMU, PlatformIO, TTS, torch.

Each check returns one :class:`Check` (name, status, version or detail, install hint). Checks run
in parallel threads; torch is imported in a subprocess so this module stays light (no numpy, no
torch). Required components are the ones the deploy path (generate, build, run on QEMU) needs:
arm-none-eabi-gcc with newlib, qemu-system-arm and each QEMU machine of the board table, host gcc,
platformio and scons, and tool-scons when the PlatformIO registry is unreachable. Optional ones
(registry, espeak-ng and flite for synthetic speech, torch for training, g++ and the Python
headers for ``train --compile``) only narrow what can be done.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import pio_offline

OK, MISSING, WARN = "ok", "MISSING", "warn"

# used only if the board table cannot be read: (machine, core) of DESIGN.md's QEMU boards
_DEFAULT_QEMU = (
    ("mps2-an385", "cortex-m3"),
    ("mps2-an386", "cortex-m4"),
    ("mps2-an500", "cortex-m7"),
    ("mps2-an505", "cortex-m33"),
    ("mps3-an547", "cortex-m55"),
)
PROBE_TIMEOUT_S = 3.0
APT = "apt-get install -y"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK, MISSING or WARN
    version: str = ""
    detail: str = ""
    hint: str = ""
    required: bool = True

    @property
    def failed(self) -> bool:
        return self.required and self.status == MISSING


def _run(cmd: list[str], timeout: float = 20.0, any_exit: bool = False) -> str | None:
    """stdout+stderr of a command, or None when it cannot run or (unless ``any_exit``) fails."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return (proc.stdout + proc.stderr) if proc.returncode == 0 or any_exit else None


def _tool(
    name: str, exe: str, version_args: list[str], pattern: str, hint: str, required: bool = True
) -> Check:
    path = shutil.which(exe)
    if path is None:
        return Check(name, MISSING, hint=hint, required=required)
    out = _run([path, *version_args], any_exit=True)  # flite --version exits 1
    if out is None or not re.search(pattern, out):
        return Check(name, MISSING, detail=f"{path} does not run", hint=hint, required=required)
    return Check(name, OK, re.search(pattern, out).group(1), path, required=required)


def check_arm_gcc() -> Check:
    return _tool(
        "arm-none-eabi-gcc", "arm-none-eabi-gcc", ["-dumpversion"], r"(\S+)", f"{APT} gcc-arm-none-eabi"
    )


def check_newlib() -> Check:
    hint = f"{APT} libnewlib-arm-none-eabi"
    if shutil.which("arm-none-eabi-gcc") is None:
        return Check("newlib (arm-none-eabi libc)", MISSING, detail="needs arm-none-eabi-gcc", hint=hint)
    out = (_run(["arm-none-eabi-gcc", "-print-file-name=libc.a"]) or "").strip()
    if "/" not in out:  # gcc echoes the bare name when the library is not found
        return Check("newlib (arm-none-eabi libc)", MISSING, hint=hint)
    return Check("newlib (arm-none-eabi libc)", OK, "", os.path.normpath(out))


def check_host_gcc() -> Check:
    return _tool("gcc (host)", "gcc", ["-dumpfullversion"], r"(\S+)", f"{APT} gcc")


def qemu_machines() -> list[tuple[str, str]]:
    """(machine, core) of every QEMU board in the board table, in table order, without repeats."""
    try:
        from .boards import qemu_boards

        pairs = [(b.qemu_machine, b.core) for b in qemu_boards()]
    except Exception:  # noqa: BLE001 - a broken table must not break the doctor
        pairs = list(_DEFAULT_QEMU)
    return list(dict.fromkeys(pairs))


def check_qemu() -> list[Check]:
    """qemu-system-arm itself, then one line per machine the QEMU boards use."""
    hint = f"{APT} qemu-system-arm"
    main = _tool("qemu-system-arm", "qemu-system-arm", ["--version"], r"version (\S+)", hint)
    if main.status != OK:
        return [main] + [
            Check(f"qemu machine {m}", MISSING, detail=core, hint=hint) for m, core in qemu_machines()
        ]
    listing = _run(["qemu-system-arm", "-machine", "help"]) or ""
    known = {line.split()[0] for line in listing.splitlines() if line.strip()}
    return [main] + [
        Check(f"qemu machine {m}", OK, "", core)
        if m in known
        else Check(f"qemu machine {m}", MISSING, detail=core, hint=f"{hint} (QEMU >= 7.0 has {m})")
        for m, core in qemu_machines()
    ]


def registry_hosts() -> list[str]:
    """The PlatformIO registry hosts, as platformio itself lists them."""
    import platformio

    return list(getattr(platformio, "__registry_mirror_hosts__", []))


def _reachable(host: str, port: int = 443, timeout: float = PROBE_TIMEOUT_S) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def check_platformio() -> list[Check]:
    hint = f"{sys.executable} -m pip install platformio (pinned in pyproject.toml)"
    try:
        version = importlib.metadata.version("platformio")
    except importlib.metadata.PackageNotFoundError:
        return [Check("platformio", MISSING, hint=hint)]
    beside = os.path.join(os.path.dirname(sys.executable), "pio")
    pio = beside if os.access(beside, os.X_OK) else shutil.which("pio") or "python package (no pio command)"
    checks = [Check("platformio", OK, version, pio)]
    hosts = registry_hosts()
    with ThreadPoolExecutor(max_workers=max(1, len(hosts))) as pool:
        up = any(pool.map(_reachable, hosts))
    checks.append(
        Check("platformio registry", OK, "reachable", required=False)
        if up
        else Check(
            "platformio registry",
            WARN,
            "unreachable",
            f"no TCP connection within {PROBE_TIMEOUT_S:.0f} s; local QEMU/host builds still work "
            "once tool-scons is provisioned",
            required=False,
        )
    )
    core = pio_offline.core_dir()
    try:
        need = pio_offline.required_version()
    except pio_offline.PioOfflineError as exc:
        need = str(exc)
    have = pio_offline.installed_version()
    label = f"platformio {pio_offline.PACKAGE}"
    if have == need:
        checks.append(Check(label, OK, have, str(pio_offline.package_dir()), required=False))
    else:
        detail = f"not provisioned in {core}" if have is None else f"{have} provisioned, {need} needed"
        # with no registry, `pio run` cannot fetch it: then it is required
        checks.append(
            Check(
                label,
                WARN if up else MISSING,
                "",
                detail,
                "bifsmn-mcu doctor --offline-setup",
                required=not up,
            )
        )
    return checks


def check_scons() -> Check:
    try:
        return Check("scons (python)", OK, importlib.metadata.version("scons"), "source of tool-scons")
    except importlib.metadata.PackageNotFoundError:
        return Check("scons (python)", MISSING, hint=f"{sys.executable} -m pip install scons")


def check_espeak() -> Check:
    return _tool(
        "espeak-ng",
        "espeak-ng",
        ["--version"],
        r"text-to-speech:\s*(\S+)",
        f"{APT} espeak-ng",
        required=False,
    )


def check_flite() -> Check:
    return _tool("flite", "flite", ["--version"], r"flite-(\S+)", f"{APT} flite", required=False)


def check_compile_toolchain() -> Check:
    """g++ and the Python headers, for ``train --compile`` (inductor builds its CPU kernels with them)."""
    from .training.compiling import compile_toolchain_problem

    name, hint = "g++, Python.h (--compile)", f"{APT} g++ python3-dev"
    problem = compile_toolchain_problem()
    if problem:
        return Check(name, MISSING, detail=problem, hint=hint, required=False)
    return _tool(name, os.environ.get("CXX", "g++"), ["-dumpfullversion"], r"(\S+)", hint, required=False)


def check_torch() -> Check:
    """Import torch in a subprocess (it takes seconds and hundreds of MB; doctor stays light)."""
    hint = f"{sys.executable} -m pip install 'bifsmn-mcu[train]' (torch==2.13.0)"
    out = _run([sys.executable, "-c", "import torch; print(torch.__version__)"], timeout=120)
    if out is None:
        return Check("torch (training)", MISSING, hint=hint, required=False)
    return Check("torch (training)", OK, out.strip().splitlines()[-1], "CPU", required=False)


def _as_list(fn: Callable[[], Check | list[Check]]) -> list[Check]:
    result = fn()
    return result if isinstance(result, list) else [result]


CHECKS: tuple[Callable[[], Check | list[Check]], ...] = (
    check_arm_gcc,
    check_newlib,
    check_qemu,
    check_host_gcc,
    check_platformio,
    check_scons,
    check_espeak,
    check_flite,
    check_compile_toolchain,
    check_torch,
)


def run_checks() -> list[Check]:
    """All checks, in a fixed order, run concurrently (about the time of the slowest: torch/probe)."""
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        return [c for group in pool.map(_as_list, CHECKS) for c in group]


def format_check(c: Check, width: int = 30) -> str:
    """One report line: status, component, version, detail, and how to install it when missing."""
    req = " (optional)" if c.status == MISSING and not c.required else ""
    hint = f"  -> {c.hint}" if c.hint and c.status != OK else ""
    return f"{c.status:<8}{c.name:<{width}}{c.version:<14}{c.detail}{req}{hint}".rstrip()
