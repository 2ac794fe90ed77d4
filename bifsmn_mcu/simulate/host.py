"""Build the generated model library with host gcc and run it over batches of clips.

    with HostModel.build(ir, width="1", workdir=tmp) as hm:
        logits = hm.infer_features(feats)          # (N, 32, 32) int16 -> (N, 12) int64
        feats_c, logits = hm.infer_pcm(pcm)        # (N, 16000) int16 through the C front end

    A build of several paths (``width="1,1/8"``) runs the first; ``hm.width = "1/8"`` selects another
    (the harness calls ``<prefix>_set_width``).

One process handles every clip of a call (binary records over stdin/stdout, see the harness
template ``templates/sim_harness.c.j2``). Compiled with ``-std=c99 -O2 -Wall -Wextra -Werror``,
optionally with AddressSanitizer + UndefinedBehaviorSanitizer.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import __version__
from ..codegen.generate import write_model_lib
from ..codegen.widths import build_widths
from ..frontend.config import FeatureConfig
from ..model.ir import ModelIR
from ..resources import templates_dir
from ..toolchain import compile_host


def _layer_sizes(ir: ModelIR, width: str) -> dict[str, int]:
    names = ["conv1", "conv2", "proj"]
    names += [f"block{i}.{p}" for i in ir.blocks(width) for p in ("mem", "fc1", "fc2")]
    return {n: int(np.prod(ir.layer(n)["out_shape"])) for n in names} | {"classifier": len(ir.labels)}


class SimulationError(RuntimeError):
    """The host harness failed (build error, crash, short output)."""


@dataclass
class HostModel:
    exe: Path
    n_classes: int
    feature_shape: tuple[int, int]
    clip_samples: int
    _tmp: tempfile.TemporaryDirectory | None = None
    path_layer_sizes: dict[str, dict[str, int]] | None = None  # per path: int32 values per layer, in order
    width: str = "1"  # the path the harness runs (one of the build's)

    @property
    def widths(self) -> list[str]:
        return list(self.path_layer_sizes or [self.width])

    @property
    def layer_sizes(self) -> dict[str, int] | None:
        return None if self.path_layer_sizes is None else self.path_layer_sizes[self.width]

    @classmethod
    def build(
        cls,
        ir: ModelIR,
        width: str = "1",
        workdir: Path | str | None = None,
        prefix: str = "kws",
        sanitize: bool = False,
    ) -> HostModel:
        tmp = None
        if workdir is None:
            tmp = tempfile.TemporaryDirectory(prefix="bifsmn-sim-")
            workdir = tmp.name
        workdir = Path(workdir)
        lib = workdir / "lib" / prefix
        write_model_lib(ir, width, prefix, lib)
        env = Environment(
            loader=FileSystemLoader(str(templates_dir())),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        harness = workdir / f"{prefix}_sim_main.c"
        harness.write_text(
            env.get_template("sim_harness.c.j2").render(
                version=__version__, sha256=ir.sha256, width=width, prefix=prefix, P=prefix.upper()
            )
        )
        sources = sorted(lib.glob("*.c")) + [harness]
        exe = compile_host(
            sources,
            workdir / f"{prefix}_sim{'_san' if sanitize else ''}",
            include_dirs=[lib],
            sanitize=sanitize,
            defines={f"{prefix.upper()}_LAYER_HOOK": f"{prefix}_sim_layer_hook"},
        )
        fcfg = FeatureConfig.from_dict(ir.header["feature_config"])
        widths = build_widths(ir, width)
        sizes = {w: _layer_sizes(ir, w) for w in widths}
        return cls(exe, len(ir.labels), fcfg.feature_shape, fcfg.clip_samples, tmp, sizes, widths[0])

    def __enter__(self) -> HostModel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _run(self, args: list[str], data: bytes) -> bytes:
        if self.width not in self.widths:
            raise SimulationError(f"width {self.width} is not in this build ({', '.join(self.widths)})")
        proc = subprocess.run([str(self.exe), *args, "--width", self.width], input=data, capture_output=True)
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip()
            raise SimulationError(f"host model exited with {proc.returncode}: {err[-2000:]}")
        return proc.stdout

    def infer_features(self, feats: np.ndarray) -> np.ndarray:
        """int16 features (N, mels, frames) -> int64 logits (N, n_classes)."""
        f = np.ascontiguousarray(np.asarray(feats), dtype="<i2")
        if f.ndim == 2:
            f = f[None]
        if f.shape[1:] != self.feature_shape:
            raise SimulationError(f"features must be (N, {self.feature_shape[0]}, {self.feature_shape[1]})")
        out = self._run(["features"], f.tobytes())
        n = len(f)
        logits = np.frombuffer(out, dtype="<i4")
        if logits.size != n * self.n_classes:
            raise SimulationError(f"host model returned {logits.size} logits for {n} clips")
        return logits.reshape(n, self.n_classes).astype(np.int64)

    def infer_layers(self, feats: np.ndarray) -> dict[str, np.ndarray]:
        """Every layer's int32 output (N, values) by name, as ``intref.run_layers`` names them."""
        f = np.ascontiguousarray(np.asarray(feats), dtype="<i2")
        if f.ndim == 2:
            f = f[None]
        sizes = self.layer_sizes or {}
        rec = sum(sizes.values()) + self.n_classes
        out = np.frombuffer(self._run(["layers"], f.tobytes()), dtype="<i4")
        if out.size != len(f) * rec:
            raise SimulationError(f"host model returned {out.size} values for {len(f)} clips")
        out = out.reshape(len(f), rec).astype(np.int64)
        res, pos = {}, 0
        for name, n in sizes.items():
            res[name] = out[:, pos : pos + n]
            pos += n
        return res

    def infer_pcm(self, pcm: np.ndarray, chunk: int = 160) -> tuple[np.ndarray, np.ndarray]:
        """int16 PCM (N, clip_samples) -> (features (N, mels, frames) int16, logits (N, classes))."""
        x = np.ascontiguousarray(np.asarray(pcm), dtype="<i2")
        if x.ndim == 1:
            x = x[None]
        if x.shape[1] != self.clip_samples:
            raise SimulationError(f"PCM clips must have {self.clip_samples} samples")
        out = self._run(["pcm", str(int(chunk))], x.tobytes())
        nf = int(np.prod(self.feature_shape))
        rec = 2 * nf + 4 * self.n_classes
        n = len(x)
        if len(out) != n * rec:
            raise SimulationError(f"host model returned {len(out)} bytes for {n} clips")
        raw = np.frombuffer(out, dtype=np.uint8).reshape(n, rec)
        feats = raw[:, : 2 * nf].copy().view("<i2").reshape(n, *self.feature_shape)
        logits = raw[:, 2 * nf :].copy().view("<i4").reshape(n, self.n_classes).astype(np.int64)
        return feats.astype(np.int16), logits
