"""numpy float64 forward of a deploy dict (SPEC §3-4): the float twin of the PyTorch eval model.

``forward(deploy, features, width)`` takes int16 features ``(N, 32 mel, 32 time)`` (or one clip
``(32, 32)``) and returns float64 logits ``(N, n_classes)``. Every step follows SPEC §3 on the device
grid: activations are multiples of ``1 / ONE`` (Q16), every layer computes the device's accumulator
(``conv(F - feat_mean, q)``, ``ONE * (d1 + s2 * d2)``, ``q . v``) and requantises it with the
multiplier ``M / 2^S`` and the Q16 bias the export makes (``fold.quantize_multiplier``,
``fold.to_fixed``), rounding half up like ``rshr``; PReLU slopes are on the Q15 grid, DSA thresholds
on the Q16 grid and ``s2`` is the rounded mean. So the logits are the integer reference's / ONE
(float64 holds every intermediate exactly; the requantise product ``acc * M`` runs in int64);
``drift.py`` compares the two layer by layer.
"""

from __future__ import annotations

import numpy as np

from .fold import (
    INT32_MAX,
    INT32_MIN,
    ONE,
    Q_ACT,
    Q_SLOPE,
    S2_MAX,
    _round,
    binary_acc_bound,
    quantize_multiplier,
    s8_acc_bound,
    to_fixed,
)

ArrayDict = dict


def sign(x: np.ndarray) -> np.ndarray:
    """+1 for x >= 0, -1 otherwise (SPEC: sign(0) = +1)."""
    return np.where(x >= 0, 1.0, -1.0)


def _bcast(v: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    shape = [1] * ndim
    shape[axis] = -1
    return np.asarray(v, dtype=np.float64).reshape(shape)


def grid(v: np.ndarray, frac: int = Q_ACT) -> np.ndarray:
    """Round half up onto the ``2^-frac`` grid (the device's ``rshr``)."""
    step = float(1 << frac)
    return np.floor(np.asarray(v, dtype=np.float64) * step + 0.5) / step


def fixed(v: np.ndarray, frac: int) -> np.ndarray:
    """A constant as the export stores it: ``to_fixed`` (half away from zero, int32-saturated)."""
    return to_fixed(v, frac).astype(np.float64) / float(1 << frac)


def sat(v: np.ndarray) -> np.ndarray:
    return np.clip(v, INT32_MIN / ONE, INT32_MAX / ONE)


def prelu(x: np.ndarray, slope: np.ndarray, axis: int = 1) -> np.ndarray:
    s = _bcast(fixed(slope, Q_SLOPE), x.ndim, axis)
    return np.where(x >= 0, x, sat(grid(x * s)))


def requant(acc: np.ndarray, m: np.ndarray, bound: int, bias: np.ndarray) -> np.ndarray:
    """``sat(rshr(acc * M, S) + B) / ONE`` per channel (axis 1) with ``M / 2^S ~= m``, ``B`` = bias in Q16."""
    M, S = quantize_multiplier(m, bound)
    shape = [1] * acc.ndim
    shape[1] = -1
    Mi, Si = M.astype(np.int64).reshape(shape), S.astype(np.int64).reshape(shape)
    # acc holds integers; acc * M can need more than float64's 53 bits, so the product and the
    # rounding shift run in int64 (|acc * M| < 2^62 by the multiplier choice), exactly as rshr.
    y = (np.rint(acc).astype(np.int64) * Mi + (np.int64(1) << (Si - 1))) >> Si
    return sat(y / ONE + _bcast(fixed(bias, Q_ACT), acc.ndim, 1))


def dsa(x: np.ndarray, t1: np.ndarray, t2: np.ndarray, group_axes: tuple[int, ...]) -> tuple:
    """Dual-scale activation over channel axis 1: returns ``(b1, b2, s2)`` with ``s2`` keepdims.

    ``t1``, ``t2`` in Q16; ``s2 = min((sum |r| + n/2) // n, s2_max)`` on the Q16 grid.
    """
    b1 = sign(x - _bcast(fixed(t1, Q_ACT), x.ndim, 1))
    r = x - b1 - _bcast(fixed(t2, Q_ACT), x.ndim, 1)
    b2 = sign(r)
    n = int(np.prod([x.shape[a] for a in group_axes]))
    total = np.abs(r).sum(axis=group_axes, keepdims=True) * ONE
    s2 = np.minimum(np.floor((total + n // 2) / n), S2_MAX) / ONE
    return b1, b2, s2


def conv2d(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Plain cross-correlation, zero padding: x (N, C, H, W), w (O, C, k, k) -> (N, O, Ho, Wo)."""
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad))
    xp[:, :, pad : pad + h, pad : pad + wd] = x
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(k):
        for j in range(k):
            patch = xp[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def dwconv1d(x: np.ndarray, w: np.ndarray, pad: int) -> np.ndarray:
    """Depthwise conv over the last axis: x (N, C, T), w (C, k) -> (N, C, T)."""
    n, c, t = x.shape
    k = w.shape[1]
    xp = np.zeros((n, c, t + 2 * pad))
    xp[:, :, pad : pad + t] = x
    return sum(xp[:, :, i : i + t] * w[None, :, i : i + 1] for i in range(k))


def _dense_pm1(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.einsum("nct,oc->not", a, w)


def binary_layer(x: np.ndarray, layer: ArrayDict, bn: ArrayDict | None, kind: str) -> np.ndarray:
    """DSA, +-1 weights, requantise with ``bn_scale * w_scale`` (or ``w_scale`` + ``bias``), PReLU.

    ``kind``: ``conv2`` (group = sample, 5x5 stride 2 pad 2), ``mem`` (group = channel, depthwise k=5),
    ``dense`` (group = frame, 1x1). ``bn``: the dict holding ``bn_scale``, ``bn_bias``, ``prelu``.
    """
    w = np.asarray(layer["w_sign"], dtype=np.float64)
    axes = {"conv2": (1, 2, 3), "mem": (2,), "dense": (1,)}[kind]
    op = {
        "conv2": lambda a: conv2d(a, w, 2, 2),
        "mem": lambda a: dwconv1d(a, w, 2),
        "dense": lambda a: _dense_pm1(a, w),
    }[kind]
    b1, b2, s2 = dsa(x, layer["t1"], layer["t2"], axes)
    acc = (op(b1) + s2 * op(b2)) * ONE
    sw = np.asarray(layer["w_scale"], dtype=np.float64)
    bound = binary_acc_bound(int(np.prod(w.shape[1:])))
    if bn is None:  # proj: bias, no BN
        return prelu(requant(acc, sw, bound, layer["bias"]), layer["prelu"])
    m = np.asarray(bn["bn_scale"], dtype=np.float64) * sw
    return prelu(requant(acc, m, bound, bn["bn_bias"]), bn["prelu"])


def conv1(deploy: ArrayDict, feats: np.ndarray) -> np.ndarray:
    """int16 features (N, 32, 32) -> (N, 16, 16, 16): acc = conv(F - feat_mean, q) on integers."""
    c1 = deploy["conv1"]
    w = np.asarray(c1["w"], dtype=np.float64)
    s1 = np.asarray(c1["w_scale"], dtype=np.float64)
    q = _round(w / s1[:, None, None, None])
    feat_mean = int(deploy["feat_mean"])
    acc = conv2d((np.asarray(feats, dtype=np.float64) - feat_mean)[:, None], q, stride=2, pad=2)
    m = ONE * np.asarray(c1["bn_scale"], dtype=np.float64) * s1 / float(deploy["feat_std"])
    bound = s8_acc_bound(w.shape[2] * w.shape[3], 32768 + abs(feat_mean))
    return prelu(requant(acc, m, bound, c1["bn_bias"]), c1["prelu"])


def quant16(v: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(v * 256.0 + 0.5), -32768, 32767) / 256.0  # round half up, like rshr


def classifier(deploy: ArrayDict, p: np.ndarray) -> np.ndarray:
    """int16 Q8 input, int8 weights: acc = q . v, ``M / 2^S = 2^(Q_ACT - 8) * w_scale``."""
    cl = deploy["classifier"]
    sc = np.asarray(cl["w_scale"], dtype=np.float64)
    q = _round(np.asarray(cl["w"], dtype=np.float64) / sc[:, None])
    acc = (quant16(p.reshape(p.shape[0], -1)) * 256.0) @ q.T
    return requant(acc, (ONE >> 8) * sc, s8_acc_bound(q.shape[1], 32768), cl["bias"])


def run_layers(deploy: ArrayDict, features: np.ndarray, width: str = "1") -> dict[str, np.ndarray]:
    """Every intermediate activation by layer name, named like ``intref.run_layers``."""
    feats = np.asarray(features)
    if feats.ndim == 2:
        feats = feats[None]
    if width not in deploy["paths"]:
        raise ValueError(f"width {width!r} not in the model (has {', '.join(deploy['paths'])})")
    out: dict[str, np.ndarray] = {}
    c2 = deploy["conv2"]
    out["conv1"] = conv1(deploy, feats)
    out["conv2"] = binary_layer(out["conv1"], c2, c2, "conv2")
    n, c, h, t = out["conv2"].shape
    p = out["proj"] = binary_layer(out["conv2"].reshape(n, c * h, t), deploy["proj"], None, "dense")
    for i in deploy["paths"][width]:
        blk = deploy["blocks"][i]
        mem, fc1, fc2 = blk["mem"], blk["fc1"], blk["fc2"]
        m = out[f"block{i}.mem"] = sat(binary_layer(p, mem, mem, "mem") + p)
        hh = out[f"block{i}.fc1"] = binary_layer(m, fc1, fc1, "dense")
        p = out[f"block{i}.fc2"] = sat(binary_layer(hh, fc2, fc2["paths"][width], "dense") + m)
    out["classifier"] = classifier(deploy, p)
    return out


def forward(deploy: ArrayDict, features: np.ndarray, width: str = "1") -> np.ndarray:
    """Float64 logits of a deploy dict for int16 features (N, 32, 32) or (32, 32)."""
    logits = run_layers(deploy, features, width)["classifier"]
    return logits[0] if np.asarray(features).ndim == 2 else logits
