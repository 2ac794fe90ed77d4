"""Exact instruction counts of bare-metal firmware under QEMU (any Cortex-M board, M55/MVE too).

The TCG plugin ``firmware/qemu_plugin/icount.c`` (built here with the host gcc, cached by source
hash) keeps one inline counter per guest instruction address; at exit it writes ``address count``
lines, which are summed per function with the ELF's symbol table. The firmware ends with a
semihosting exit whose code becomes QEMU's exit status.

    so = build_plugin(cache_dir)
    run = run_counted(elf, "m55", so)   # run.per_function["bnn_bmm_vsparse_mve_i32"], run.exit_code
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..measure.elf import read_elf
from ..resources import firmware_dir
from ..toolchain import HOST_CC, ToolchainError, _which

QEMU = "qemu-system-arm"
MACHINES = {
    "m3": "mps2-an385",
    "m4": "mps2-an386",
    "m7": "mps2-an500",
    "m33": "mps2-an505",
    "m55": "mps3-an547",
}
LINKER_SCRIPTS = {"m3": "mps2.ld", "m4": "mps2.ld", "m7": "mps2.ld", "m33": "an505.ld", "m55": "an547.ld"}


class QemuCountError(RuntimeError):
    """QEMU is missing, timed out, or the firmware did not exit cleanly."""


@dataclass
class CountedRun:
    total: int
    exit_code: int
    per_function: dict[str, int] = field(default_factory=dict)
    stdout: str = ""

    def minus(self, base: CountedRun, drop: Sequence[str] = ()) -> dict[str, int]:
        """Per-function counts of this run minus ``base`` (an image with the same start-up), the
        functions that differ, by name; ``drop`` names are left out."""
        names = set(self.per_function) | set(base.per_function)
        diff = {k: self.per_function.get(k, 0) - base.per_function.get(k, 0) for k in names if k not in drop}
        return {k: v for k, v in sorted(diff.items()) if v}


def plugin_source_dir() -> Path:
    return firmware_dir() / "qemu_plugin"


def build_plugin(cache_dir: Path | str | None = None) -> Path:
    """Compile the icount plugin (once per source version) and return the ``.so`` path."""
    src_dir = plugin_source_dir()
    srcs = [src_dir / "icount.c", src_dir / "qemu_plugin_min.h"]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in srcs)).hexdigest()[:16]
    cache = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "bifsmn-icount"
    cache.mkdir(parents=True, exist_ok=True)
    so = cache / f"libicount-{digest}.so"
    if not so.is_file():
        cc = _which(HOST_CC)
        tmp = so.with_suffix(".tmp.so")
        cmd = [
            cc,
            "-std=c11",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-shared",
            "-fPIC",
            "-o",
            str(tmp),
            str(srcs[0]),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ToolchainError(f"building the QEMU plugin failed:\n{proc.stderr.strip()}")
        tmp.replace(so)
    return so


def _per_function(elf: Path, counts: dict[int, int]) -> dict[str, int]:
    image = read_elf(elf)
    out: dict[str, int] = {}
    for addr, n in counts.items():
        name = image.function_at(addr)
        out[name] = out.get(name, 0) + n
    return out


def run_counted(elf: Path | str, cpu: str, plugin: Path | str, timeout: float = 120.0) -> CountedRun:
    """Boot ``elf`` on the QEMU board of ``cpu`` with the counting plugin; exact counts per function."""
    if cpu not in MACHINES:
        raise QemuCountError(f"no QEMU board for cpu {cpu!r} (known: {', '.join(MACHINES)})")
    qemu = shutil.which(QEMU)
    if qemu is None:
        raise QemuCountError(f"{QEMU} not found on PATH (apt-get install qemu-system-arm)")
    elf = Path(elf)
    with tempfile.TemporaryDirectory(prefix="bifsmn-icount-") as tmp:
        out = Path(tmp) / "counts.txt"
        log = Path(tmp) / "plugin.log"
        cmd = [
            qemu,
            "-M",
            MACHINES[cpu],
            "-nographic",
            "-monitor",
            "none",
            "-serial",
            "null",
            "-semihosting-config",
            "enable=on,target=native",
            "-kernel",
            str(elf),
            "-plugin",
            f"{plugin},arg=out={out}",
            "-d",
            "plugin",
            "-D",
            str(log),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as err:
            raise QemuCountError(f"{elf.name} did not exit within {timeout:.0f} s under QEMU") from err
        if not out.is_file():
            raise QemuCountError(f"QEMU wrote no counts for {elf.name}: {proc.stderr.strip()[-400:]}")
        counts: dict[int, int] = {}
        for line in out.read_text().splitlines():
            a, n = line.split()
            counts[int(a, 16) & ~1] = counts.get(int(a, 16) & ~1, 0) + int(n)
    return CountedRun(sum(counts.values()), proc.returncode, _per_function(elf, counts), proc.stdout)
