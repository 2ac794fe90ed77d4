"""Compiler helpers: host gcc (bit-exact tests, host simulation) and arm-none-eabi-gcc (Cortex-M).

Both raise :class:`ToolchainError` with the compiler's stderr when the compiler is missing or
the build fails, so callers turn it into one clear line (``click.ClickException(str(err))``).

    exe = compile_host([src], tmp / "a.out", include_dirs=[inc], sanitize=True)
    elf = compile_arm([src], tmp / "fe.elf", cpu="m4", link="none")
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

HOST_CC = "gcc"
ARM_CC = "arm-none-eabi-gcc"

HOST_FLAGS = ("-std=c99", "-O2", "-Wall", "-Wextra", "-Werror")
WARN_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror")
SANITIZE_FLAGS = (
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-g",
    "-fno-omit-frame-pointer",
)

# Per-core code-generation flags (see ../shared/notes/qemu-cortex-m.md; QEMU machine in the comment).
ARM_CPU_FLAGS: dict[str, tuple[str, ...]] = {
    "m0": ("-mcpu=cortex-m0", "-mthumb", "-mfloat-abi=soft"),  # microbit
    "m0plus": ("-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"),  # (Pico; no QEMU model)
    "m3": ("-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"),  # mps2-an385
    "m4": ("-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"),  # mps2-an386
    "m7": ("-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"),  # mps2-an500
    "m33": ("-mcpu=cortex-m33", "-mthumb", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"),  # mps2-an505
    "m55": ("-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"),  # mps3-an547 (MVE)
}

LinkMode = Literal["none", "object", "nano"]
"""``none``: a linked ELF with ``-nostartfiles`` and no entry point (for unicorn: call functions
directly; libgcc is linked so its helpers resolve); ``object``: ``-c``, one object file (a single
source only); ``nano``: link against newlib-nano with ``--specs=nano.specs --specs=nosys.specs``."""


class ToolchainError(RuntimeError):
    """A compiler is missing or a compilation failed; ``str()`` carries the compiler's stderr."""


def _which(cc: str) -> str:
    path = shutil.which(cc)
    if path is None:
        hint = (
            "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"
            if "arm" in cc
            else "apt-get install gcc"
        )
        raise ToolchainError(f"compiler {cc!r} not found on PATH ({hint})")
    return path


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        name = Path(cmd[0]).name
        raise ToolchainError(
            f"{name} failed (exit {proc.returncode}):\n{proc.stderr.strip()}\ncommand: {' '.join(cmd)}"
        )


def _common(
    sources: Iterable[Path | str], include_dirs: Iterable[Path | str], defines: Mapping[str, object]
) -> list[str]:
    args = [f"-I{d}" for d in include_dirs]
    for name, value in defines.items():
        args.append(f"-D{name}" if value is None or value is True else f"-D{name}={value}")
    srcs = [str(s) for s in sources]
    if not srcs:
        raise ToolchainError("no source files given")
    return args + srcs


def compile_host(
    sources: Sequence[Path | str],
    out: Path | str,
    include_dirs: Sequence[Path | str] = (),
    defines: Mapping[str, object] | None = None,
    sanitize: bool = False,
    extra_flags: Sequence[str] = (),
) -> Path:
    """Build a host executable with ``gcc -std=c99 -O2 -Wall -Wextra -Werror`` (+ ASan/UBSan)."""
    cc = _which(HOST_CC)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [cc, *HOST_FLAGS, *(SANITIZE_FLAGS if sanitize else ()), *extra_flags]
    cmd += _common(sources, include_dirs, defines or {})
    cmd += ["-o", str(out), "-lm"]
    _run(cmd)
    return out


def compile_arm(
    sources: Sequence[Path | str],
    out: Path | str,
    cpu: str,
    include_dirs: Sequence[Path | str] = (),
    defines: Mapping[str, object] | None = None,
    opt: str = "-O2",
    extra_flags: Sequence[str] = (),
    link: LinkMode = "none",
    keep: Sequence[str] = (),
) -> Path:
    """Cross-compile for a Cortex-M core (``cpu`` is a key of :data:`ARM_CPU_FLAGS`).

    ``link="none"`` gives an ELF meant for :mod:`bifsmn_mcu.measure` (functions are called
    directly, no start-up code; newlib-nano ``libc`` and ``libgcc`` resolve ``memcpy`` and helpers).
    ``keep`` names the functions to keep: with it, unused sections are dropped (``--gc-sections``).
    """
    if cpu not in ARM_CPU_FLAGS:
        raise ToolchainError(f"unknown cpu {cpu!r}; known: {', '.join(ARM_CPU_FLAGS)}")
    cc = _which(ARM_CC)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [cc, *WARN_FLAGS, opt, *ARM_CPU_FLAGS[cpu], "-ffunction-sections", "-fdata-sections"]
    cmd += list(extra_flags)
    cmd += _common(sources, include_dirs, defines or {})
    if link == "object":
        if len(sources) != 1:
            raise ToolchainError("link='object' compiles exactly one source")
        cmd += ["-c"]
    elif link == "none":
        cmd += ["-nostartfiles", "--specs=nano.specs"]
        if keep:
            cmd += ["-Wl,--gc-sections", f"-Wl,--entry={keep[0]}", *(f"-Wl,--undefined={k}" for k in keep)]
        else:
            cmd += ["-Wl,--entry=0"]
        cmd += ["-Wl,--start-group", "-lc_nano", "-lgcc", "-Wl,--end-group"]
    elif link == "nano":
        cmd += ["--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections", "-lm"]
    else:
        raise ToolchainError(f"unknown link mode {link!r}")
    cmd += ["-o", str(out)]
    _run(cmd)
    return out


def arm_tool(name: str) -> str:
    """Path of an ``arm-none-eabi-<name>`` binutils tool (``nm``, ``size``, ``objdump``)."""
    return _which(f"arm-none-eabi-{name}")
