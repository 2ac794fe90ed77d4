"""Render the model library of one build (one thin path, or several switched at run time).

``render_model(ir, width, prefix)`` returns ``{file name: text}`` for ``<prefix>.h`` (the C API of
SPEC §6), ``<prefix>_model.c`` (init, front-end wrappers, inference calling the kernels),
``<prefix>_model_data.h/.c`` (``g_<prefix>_<what>`` arrays with ``<PREFIX>_<WHAT>_SIZE``) and the
front-end tables. Only the chosen paths' blocks (and their fc2 BN/PReLU) are emitted. All numbers are
computed here; the templates only loop over the prepared lists. ``plan_memory`` gives the byte counts.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import __version__
from ..frontend.config import FeatureConfig
from ..model.bitpack import n_words
from ..model.ir import ModelIR, width_tag
from ..resources import templates_dir
from .cgen import CArray, array_decl, c_string, check_prefix
from .errors import CodegenError
from .kernels import DEFAULT_KERNELS, kernel_names, prepare_ir
from .widths import build_widths, embedded_blocks, float_params, width_spec

TEMPLATES = {
    "model.h.j2": "{p}.h",
    "model.c.j2": "{p}_model.c",
    "model_data.h.j2": "{p}_model_data.h",
    "model_data.c.j2": "{p}_model_data.c",
}
ROLES = ("M", "S", "B", "A")


@dataclass(frozen=True)
class MemoryPlan:
    """Planned bytes of one generated model (data and static buffers; code is measured from the ELF)."""

    model_flash: int  # const model data
    frontend_flash: int  # const front-end tables
    model_ram: int  # static buffers of the network
    frontend_ram: int  # front-end work memory and the feature buffer
    float32_bytes: int  # the same network's float parameters as float32
    weight_bytes: int = 0  # of model_flash: packed binary weights + int8 weights
    float32_weight_bytes: int = 0  # the same weights as float32

    @property
    def flash(self) -> int:
        return self.model_flash + self.frontend_flash

    @property
    def ram(self) -> int:
        return self.model_ram + self.frontend_ram

    @property
    def compression(self) -> float:
        return self.float32_bytes / self.model_flash

    @property
    def weight_compression(self) -> float:
        return self.float32_weight_bytes / self.weight_bytes if self.weight_bytes else 0.0

    def as_dict(self) -> dict:
        return {
            "model_flash": self.model_flash,
            "frontend_flash": self.frontend_flash,
            "flash": self.flash,
            "model_ram": self.model_ram,
            "frontend_ram": self.frontend_ram,
            "ram": self.ram,
            "float32_bytes": self.float32_bytes,
            "compression": round(self.compression, 2),
            "weight_bytes": self.weight_bytes,
            "float32_weight_bytes": self.float32_weight_bytes,
            "weight_compression": round(self.weight_compression, 2),
        }


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


BANNER_SUFFIXES = (".c", ".cpp", ".h", ".ld")  # files that take the /* */ banner


def banner(sha256: str, width: str, prefix: str) -> str:
    """The generated-file banner (``_banner.j2``): generator version, model sha256, do not edit."""
    return (
        _env()
        .get_template("_banner.j2")
        .render(version=__version__, sha256=sha256, width=width, prefix=prefix)
    )


def copy_source(src: Path, dst: Path, head: str) -> None:
    """Copy ``src`` to ``dst``; C, C++ and linker-script files get ``head`` (the banner) first."""
    if src.suffix in BANNER_SUFFIXES:
        dst.write_text(head + src.read_text())
    else:
        shutil.copy2(src, dst)


def _cname(layer: str) -> str:
    return layer.replace(".", "_")


def check_format(ir: ModelIR) -> None:
    """The C kernels are compiled for one activation format (``bnn_kernels.h``): the IR must match."""
    from ..model.fold import Q_ACT, Q_SLOPE, S2_MAX

    q, s2, qs = int(ir.constants["q_act"]), int(ir.constants["s2_max"]), int(ir.constants["q_slope"])
    if (q, s2, qs) != (Q_ACT, S2_MAX, Q_SLOPE):
        raise CodegenError(
            f"model IR uses Q{q} activations (s2 <= {s2}, slopes Q{qs}); the C kernels run Q{Q_ACT} "
            f"(s2 <= {S2_MAX}, slopes Q{Q_SLOPE}): re-export the checkpoint with this bifsmn-mcu"
        )


def model_context(ir: ModelIR, width: str, prefix: str, kernels: str = DEFAULT_KERNELS) -> dict:
    """Everything the templates need, precomputed (array declarations, shapes, buffer sizes).

    ``width``: one path, or several (``"1,1/8"``, ``"all"``; see widths.py) switched at run time; the
    first runs after boot. One path keeps the plain array names; with several, each path's fc2
    BatchNorm/PReLU constants get the path's tag (``..._fc2_m_w1_8``).
    """
    check_prefix(prefix)
    widths = build_widths(ir, width)
    check_format(ir)
    ir = prepare_ir(ir, kernels)
    blocks = embedded_blocks(ir, widths)
    arrays: list[CArray] = []
    layers: dict[str, dict] = {}

    def add(name: str, roles: dict[str, str], tag: str = "") -> dict[str, str]:
        decls = {
            r: array_decl(prefix, f"{_cname(name)}_{r.lower()}{tag}", ir.arrays[a]) for r, a in roles.items()
        }
        arrays.extend(decls.values())
        return {r.lower(): d.name for r, d in decls.items()}

    for name in ("conv1", "conv2", "proj", "classifier"):
        lay = ir.layer(name)
        layers[name] = {
            **lay,
            "c": add(name, lay["arrays"]),
            "rq": f"g_{prefix}_{name}_rq",
            "has_prelu": "A" in lay["arrays"],
        }
    shared: dict[int, dict] = {}
    for i in blocks:
        b = {}
        for part in ("mem", "fc1", "fc2"):
            name = f"block{i}.{part}"
            lay = ir.layer(name)
            b[part] = {**lay, "c": add(name, lay["arrays"]), "rq": f"g_{prefix}_{_cname(name)}_rq"}
        shared[i] = b
    paths = []
    for w in widths:
        tag = "" if len(widths) == 1 else "_" + width_tag(w)
        path_blocks = []
        for i in ir.blocks(w):
            fc2 = shared[i]["fc2"]
            c = {**fc2["c"], **add(f"block{i}.fc2", fc2["paths"][w], tag)}
            rq = f"g_{prefix}_block{i}_fc2_rq{tag}"
            path_blocks.append({**shared[i], "index": i, "fc2": {**fc2, "c": c, "rq": rq}})
        paths.append({"width": w, "tag": width_tag(w), "blocks": path_blocks})

    fcfg = FeatureConfig.from_dict(ir.header["feature_config"])
    c1, c2, pr = ir.layer("conv1"), ir.layer("conv2"), ir.layer("proj")
    d_model, t = pr["out_shape"]
    d_hid = max([ir.layer(f"block{i}.fc1")["out_shape"][0] for i in blocks] or [d_model])
    h1, h2 = c1["out_shape"], c2["out_shape"]
    positions = h1[1] * h1[2]
    buf = {
        # A: conv1 output, later p (first half) and m (second half)
        "act_a": max(int(np.prod(h1)), 2 * d_model * t),
        # B: conv2 output, later the fc1 output h
        "act_b": max(int(np.prod(h2)), d_hid * t),
        "bits": max(positions * n_words(h1[0]), t * n_words(max(pr["in_shape"][0], d_hid)), d_model),
        "sums": max(positions, t, d_model),
        "s2": max(1, t, d_model),
    }
    rq = []
    for n in ("conv1", "conv2", "proj"):
        c = layers[n]["c"]
        rq.append({"name": f"g_{prefix}_{n}_rq", "m": c["m"], "s": c["s"], "b": c["b"], "a": c["a"]})
    for i in blocks:
        for part in ("mem", "fc1"):
            c = shared[i][part]["c"]
            rq.append({"name": shared[i][part]["rq"], "m": c["m"], "s": c["s"], "b": c["b"], "a": c["a"]})
    for path in paths:
        for b in path["blocks"]:
            c = b["fc2"]["c"]
            rq.append({"name": b["fc2"]["rq"], "m": c["m"], "s": c["s"], "b": c["b"], "a": c["a"]})
    cl = layers["classifier"]["c"]
    rq.append({"name": f"g_{prefix}_classifier_rq", "m": cl["m"], "s": cl["s"], "b": cl["b"], "a": "NULL"})
    return {
        "version": __version__,
        "sha256": ir.sha256,
        "prefix": prefix,
        "P": prefix.upper(),
        "width": width_spec(widths),
        "widths": list(widths),
        "paths": paths,
        "labels": [c_string(x) for x in ir.labels],
        "n_classes": len(ir.labels),
        "n_mels": fcfg.n_mels,
        "n_frames": fcfg.n_frames,
        "clip_samples": fcfg.clip_samples,
        "feat_mean": ir.constants["feat_mean"],
        "q_act": int(ir.constants["q_act"]),
        "s2_max": int(ir.constants["s2_max"]),
        "q_slope": int(ir.constants["q_slope"]),
        "arrays": arrays,
        "requants": rq,
        "L": layers,
        "buf": buf,
        "d_model": d_model,
        "t": t,
        "positions": positions,
        "kernels": kernels,
        "K": kernel_names(kernels),
    }


def render_model(ir: ModelIR, width: str, prefix: str, kernels: str = DEFAULT_KERNELS) -> dict[str, str]:
    """``{file name: text}`` of the model library (front-end tables included)."""
    from ..frontend.ctables import FrontendTableError, frontend_c_tables

    ctx = model_context(ir, width, prefix, kernels)
    env = _env()
    files = {out.format(p=prefix): env.get_template(tpl).render(**ctx) for tpl, out in TEMPLATES.items()}
    try:
        fh, fc = frontend_c_tables(FeatureConfig.from_dict(ir.header["feature_config"]), prefix)
    except FrontendTableError as e:
        raise CodegenError(str(e)) from None
    head = banner(ir.sha256, width, prefix)  # the model banner on the front-end tables too
    files[f"{prefix}_frontend_tables.h"] = head + fh
    files[f"{prefix}_frontend_tables.c"] = head + fc
    return files


def plan_memory(ir: ModelIR, width: str, prefix: str = "kws", kernels: str = DEFAULT_KERNELS) -> MemoryPlan:
    ctx = model_context(ir, width, prefix, kernels)
    from ..frontend.ctables import frontend_arrays

    fcfg = FeatureConfig.from_dict(ir.header["feature_config"])
    n_rq = len(ctx["requants"])
    model_flash = sum(a.nbytes for a in ctx["arrays"]) + n_rq * 16  # bnn_requant_t: 4 pointers
    fe_flash = sum(v.size * (4 if ct == "int32_t" else 2) for ct, v in frontend_arrays(fcfg).values())
    b = ctx["buf"]
    model_ram = 4 * (b["act_a"] + b["act_b"] + 2 * b["bits"] + b["s2"]) + 8 * b["sums"]
    fe_ram = 4 * (fcfg.n_fft + 2) + 2 * fcfg.n_mels * fcfg.n_frames + 16
    float32 = 4 * float_params(ir, ctx["widths"])
    weight_bytes = sum(a.nbytes for a in ctx["arrays"] if a.name.endswith(("_w", "_q")))
    return MemoryPlan(
        model_flash, fe_flash, model_ram, fe_ram, float32, weight_bytes, 4 * n_weights(ir, width)
    )


def n_weights(ir: ModelIR, width: str) -> int:
    """Weights (binary + int8) of the conv/linear layers a build's paths run (shared between paths)."""
    names = ["conv1", "conv2", "proj", "classifier"]
    blocks = embedded_blocks(ir, build_widths(ir, width))
    names += [f"block{i}.{p}" for i in blocks for p in ("mem", "fc1", "fc2")]
    total = 0
    for n in names:
        lay = ir.layer(n)
        if lay["op"] == "conv2d_s8" or lay["op"] == "dense_s8":
            total += int(ir.get(n, "q").size)
        elif lay["op"] == "bconv2d":
            total += lay["out_shape"][0] * lay["in_shape"][0] * lay["kernel"] ** 2
        elif lay["op"] == "bdwconv1d":
            total += lay["out_shape"][0] * lay["kernel"]
        else:
            total += lay["out_shape"][0] * lay["in_shape"][0]
    return total
