"""Build and run the C front end (``firmware/frontend``) on the host and on Cortex-M (unicorn).

    exe = build_host_frontend(cfg, workdir, sanitize=True)
    feats = run_host_frontend(exe, pcm, chunks=(7, 160))          # (n, n_mels, n_frames) int16
    elf = build_arm_frontend(cfg, workdir, cpu="m4")
    feats, m = run_arm_frontend(elf, pcm[0])                       # m.instructions per clip
    report = compare_features(feats, features(pcm))               # first mismatch, if any

The host harness (``firmware/frontend/harness/fe_stdio_main.c``) reads clips on stdin and writes
features on stdout, so one process handles a whole batch.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..measure import Measurement
from ..resources import firmware_dir
from ..toolchain import ToolchainError, arm_tool, compile_arm, compile_host
from .config import FeatureConfig
from .ctables import frontend_c_tables

HARNESS_PREFIX = "fe"  # the harness includes fe_frontend_tables.h and uses g_fe_fe_config

# libgcc/newlib helpers that would make a Cortex-M build slow or large if they crept in
SLOW_HELPERS = ("__popcountsi2", "__clzdi2", "__aeabi_ldivmod", "__aeabi_uldivmod", "__aeabi_lmul",
                "__aeabi_llsl", "__aeabi_llsr", "__aeabi_lasr", "__divdi3", "__udivdi3", "__aeabi_idiv",
                "__aeabi_uidiv", "__aeabi_uidivmod", "__aeabi_idivmod")  # fmt: skip


class FrontendRunError(RuntimeError):
    """The C front end harness failed (exit status and stderr in the message)."""


def frontend_sources() -> list[Path]:
    """The hand-written C front end, one function per file."""
    return sorted((firmware_dir() / "frontend").glob("*.c"))


def write_tables(cfg: FeatureConfig, workdir: Path) -> Path:
    """Write ``fe_frontend_tables.{h,c}`` for ``cfg`` into ``workdir``; returns the .c path."""
    workdir.mkdir(parents=True, exist_ok=True)
    header, source = frontend_c_tables(cfg, HARNESS_PREFIX)
    (workdir / f"{HARNESS_PREFIX}_frontend_tables.h").write_text(header)
    src = workdir / f"{HARNESS_PREFIX}_frontend_tables.c"
    src.write_text(source)
    return src


def build_host_frontend(cfg: FeatureConfig, workdir: Path, sanitize: bool = False) -> Path:
    """Compile the front end + stdio harness with host gcc (-Werror; ASan+UBSan if ``sanitize``)."""
    tables = write_tables(cfg, workdir)
    fw = firmware_dir() / "frontend"
    srcs = [*frontend_sources(), fw / "harness" / "fe_stdio_main.c", tables]
    name = "fe_host_san" if sanitize else "fe_host"
    return compile_host(srcs, workdir / name, include_dirs=[fw, workdir], sanitize=sanitize)


def run_host_frontend(
    exe: Path, pcm: np.ndarray, cfg: FeatureConfig, chunks: Sequence[int] = (0,)
) -> np.ndarray:
    """Features of every clip in ``pcm`` (``(n, clip_samples)`` int16), pushed in ``chunks`` (cycled)."""
    pcm = np.ascontiguousarray(np.atleast_2d(pcm), dtype="<i2")
    if pcm.shape[1] != cfg.clip_samples:
        raise ValueError(f"expected clips of {cfg.clip_samples} samples, got {pcm.shape[1]}")
    spec = ",".join(str(int(c)) for c in chunks)
    proc = subprocess.run([str(exe), spec], input=pcm.tobytes(), capture_output=True)
    if proc.returncode != 0:
        raise FrontendRunError(
            f"{exe.name} exited with {proc.returncode}: {proc.stderr.decode(errors='replace')}"
        )
    n_out = pcm.shape[0] * cfg.n_mels * cfg.n_frames
    out = np.frombuffer(proc.stdout, dtype="<i2")
    if out.size != n_out:
        raise FrontendRunError(f"{exe.name} wrote {out.size} values, expected {n_out}")
    return out.reshape(pcm.shape[0], cfg.n_mels, cfg.n_frames).astype(np.int16)


def build_arm_frontend(cfg: FeatureConfig, workdir: Path, cpu: str = "m4", opt: str = "-O2") -> Path:
    """Cross-compile the front end + ``fe_measure.c`` into an ELF for :mod:`bifsmn_mcu.measure`."""
    tables = write_tables(cfg, workdir)
    fw = firmware_dir() / "frontend"
    srcs = [*frontend_sources(), fw / "harness" / "fe_measure.c", tables]
    return compile_arm(
        srcs,
        workdir / f"fe_{cpu}.elf",
        cpu,
        include_dirs=[fw, workdir],
        opt=opt,
        keep=["fe_run_clip", "fe_setup"],
    )


def run_arm_frontend(
    elf: Path, pcm: np.ndarray, cfg: FeatureConfig, chunk: int = 0, cpu: str = "m4"
) -> tuple[np.ndarray, Measurement]:
    """Run one clip through the ARM build under unicorn.

    Returns ``(features (n_mels, n_frames) int16, Measurement)``; ``Measurement.instructions`` is the
    exact count of ``fe_run_clip`` (reset + all pushes), ``per_function`` splits it by function.
    """
    from ..measure import SCRATCH_BASE, call_function, read_elf

    image = read_elf(elf)
    feats = image.symbols["fe_features"]
    x = np.ascontiguousarray(pcm, dtype="<i2")
    m = call_function(
        image,
        "fe_run_clip",
        [SCRATCH_BASE, x.size, chunk],
        {SCRATCH_BASE: x.tobytes()},
        read=[(feats.address, feats.size)],
        breakdown=True,
        cpu=cpu,
        setup=[("fe_setup", [])],
    )
    if m.return_value != cfg.n_frames:
        raise FrontendRunError(f"fe_run_clip returned {m.return_value} frames, expected {cfg.n_frames}")
    out = (
        np.frombuffer(m.memory[feats.address], dtype="<i2").reshape(cfg.n_mels, cfg.n_frames).astype(np.int16)
    )
    return out, m


def library_functions(elf: Path) -> list[str]:
    """Library routines (libgcc/newlib code symbols whose names start with ``__``) linked into ``elf``."""
    nm = arm_tool("nm")
    proc = subprocess.run([nm, "--defined-only", str(elf)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ToolchainError(f"nm failed: {proc.stderr.strip()}")
    rows = [line.split() for line in proc.stdout.splitlines()]
    return sorted({r[2] for r in rows if len(r) == 3 and r[1] in "tT" and r[2].startswith("__")})


@dataclass
class Comparison:
    n_clips: int
    n_identical: int
    first_mismatch: tuple[int, int, int, int, int] | None  # (clip, band, frame, c_value, ref_value)

    @property
    def ok(self) -> bool:
        return self.n_identical == self.n_clips


def compare_features(got: np.ndarray, want: np.ndarray, clip_offset: int = 0) -> Comparison:
    """Bit-for-bit comparison of ``(n, n_mels, n_frames)`` feature stacks."""
    if got.shape != want.shape:
        raise ValueError(f"shape mismatch: {got.shape} vs {want.shape}")
    same = (got == want).all(axis=(1, 2))
    first = None
    if not same.all():
        c = int(np.argmin(same))
        b, f = (int(v) for v in np.argwhere(got[c] != want[c])[0])
        first = (clip_offset + c, b, f, int(got[c, b, f]), int(want[c, b, f]))
    return Comparison(len(same), int(same.sum()), first)
