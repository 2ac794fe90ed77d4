"""Where does the integer model leave the float model? Per-layer error and DSA bit-flip rates.

``layer_drift(deploy, ir, feats, width)`` runs both references layer by layer, each on its own
inputs (so errors accumulate as they do in deployment), and also re-runs every integer layer on
the float input of that layer (``local``: the error that layer adds by itself). For the binary
layers it gives the fraction of DSA bits (planes 1 and 2) that differ from the float ones.
"""

from __future__ import annotations

import numpy as np

from . import float_reference as fr
from . import intref
from .ir import ModelIR


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a - b)) / max(np.mean(np.abs(b)), 1e-12))


def _flip_rate(deploy_layer: dict, ir: ModelIR, name: str, x_float: np.ndarray, axes) -> tuple[float, float]:
    fb1, fb2, _ = fr.dsa(x_float, deploy_layer["t1"], deploy_layer["t2"], axes)
    fmt = intref._fmt(ir)
    xi = np.round(x_float * fmt["one"]).astype(np.int64)
    ib1, ib2, _ = intref.dsa(xi, ir.get(name, "T1"), ir.get(name, "T2"), axes, **fmt)
    return float(np.mean(fb1 != ib1)), float(np.mean(fb2 != ib2))


def layer_drift(deploy: dict, ir: ModelIR, feats: np.ndarray, width: str = "1") -> list[dict]:
    """One row per layer: accumulated relative error, local relative error, DSA bit flips."""
    ONE = 1 << int(ir.constants["q_act"])  # noqa: N806
    f = fr.run_layers(deploy, feats, width)
    q = intref.run_layers(ir, feats, width)
    rows = []
    prev_f = None
    for name, fv in f.items():
        iv = q[name] / ONE
        row = {"layer": name, "accumulated": _rel(iv.reshape(fv.shape), fv)}
        if prev_f is not None and name != "classifier":
            xi = np.round(prev_f * ONE).astype(np.int64)
            if name == "conv2":
                local = intref.conv2(ir, xi)
            elif name == "proj":
                local = intref.proj(ir, xi.reshape(xi.shape[0], 32, 8, -1))
            else:
                i, part = name.split(".")
                i = int(i[5:])
                if part == "mem":
                    local = intref.mem(ir, i, xi)
                elif part == "fc1":
                    local = intref.fc1(ir, i, xi)
                else:
                    m = np.round(f[f"block{i}.mem"] * ONE).astype(np.int64)
                    local = intref.fc2(ir, i, xi, m, width)
            row["local"] = _rel(local.reshape(fv.shape) / ONE, fv)
            layer = (
                deploy[name]
                if "." not in name
                else deploy["blocks"][int(name.split(".")[0][5:])][name.split(".")[1]]
            )
            axes = {"conv2": (1, 2, 3), "mem": (2,)}.get(name.split(".")[-1], (1,))
            row["flip1"], row["flip2"] = _flip_rate(layer, ir, name, prev_f, axes)
        rows.append(row)
        prev_f = fv if name != "conv2" else fv.reshape(fv.shape[0], -1, fv.shape[-1])
    fl = f["classifier"].argmax(1)
    il = q["classifier"].argmax(1)
    rows.append({"layer": "top-1 agreement", "accumulated": float(np.mean(fl == il))})
    return rows


def format_drift(rows: list[dict]) -> str:
    out = [f"{'layer':<16} {'accum err':>10} {'local err':>10} {'flip b1':>8} {'flip b2':>8}"]
    for r in rows:
        if r["layer"] == "top-1 agreement":
            out.append(f"{r['layer']:<16} {100 * r['accumulated']:>9.2f}%")
            continue
        loc = f"{r['local']:>10.2e}" if "local" in r else f"{'':>10}"
        fl = f"{100 * r['flip1']:>7.3f}% {100 * r['flip2']:>7.3f}%" if "flip1" in r else ""
        out.append(f"{r['layer']:<16} {r['accumulated']:>10.2e} {loc} {fl}")
    return "\n".join(out)
