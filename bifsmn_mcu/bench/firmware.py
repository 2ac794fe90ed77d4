"""Build bare-metal benchmark firmware for the QEMU boards (start-up and linker scripts of
firmware/boards, semihosting exit of firmware/qemu_plugin/bench_semihost.h)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..resources import firmware_dir
from ..toolchain import compile_arm
from .qemu_count import LINKER_SCRIPTS


def build_firmware(
    sources: Sequence[Path | str],
    out: Path | str,
    cpu: str,
    include_dirs: Sequence[Path | str] = (),
    defines: dict[str, object] | None = None,
    opt: str = "-O2",
    linker_script: Path | None = None,
    extra_flags: Sequence[str] = (),
) -> Path:
    """Link ``sources`` + the board start-up into a QEMU-bootable ELF for ``cpu``."""
    fw = firmware_dir()
    boards = fw / "boards"
    srcs = [*sources, boards / "startup_cortexm.c"]
    incs = [*include_dirs, fw / "kernels", fw / "qemu_plugin"]
    script = linker_script or boards / LINKER_SCRIPTS[cpu]
    flags = ["-nostartfiles", "-T", str(script), f"-L{boards}", *extra_flags]
    defs = {"BIFSMN_BSP_CMSDK": None, **(defines or {})}
    return compile_arm(
        srcs, out, cpu=cpu, include_dirs=incs, defines=defs, opt=opt, extra_flags=flags, link="nano"
    )
