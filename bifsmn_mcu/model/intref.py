"""Integer reference of the whole network (SPEC §5): the executable spec the generated C equals.

Everything works on a batch: features ``(N, 32, 32)`` int16 -> logits ``(N, n_classes)`` int64
holding int32 values in the IR's activation format (``q_act`` of the header, Q16 by default).
Activations are int64 arrays holding int32 values, channel axis 1.
The +-1 dot products are computed with float64 matrix products: every operand and partial sum is
an integer below 2^53, so they are exact (and use BLAS). The C kernels compute the same sums as
``n_valid - 2 * popcount((a ^ w) & valid)``.

Rules beyond the one-liners of SPEC §5 (the C does the same):
- requantize, PReLU (slopes > 1) and residual adds saturate to int32;
- DSA works in int64 (``x - T1``, ``x - b1 - T2``) and ``s2`` saturates at ``s2_max`` (header).
"""

from __future__ import annotations

import numpy as np

from .bitpack import signs_from_bits
from .fold import INT32_MAX, INT32_MIN, ONE, Q_SLOPE, S2_MAX
from .ir import ModelIR


def rshr(x: np.ndarray, n) -> np.ndarray:
    """``(x + 2^(n-1)) >> n`` on int64 (``n`` may be a per-channel array)."""
    n = np.asarray(n, dtype=np.int64)
    return (x + np.left_shift(np.int64(1), n - 1)) >> n


def _ch(v: np.ndarray, ndim: int) -> np.ndarray:
    """Per-channel vector shaped to broadcast on axis 1 of an ``ndim`` array."""
    return np.asarray(v, dtype=np.int64).reshape((1, -1) + (1,) * (ndim - 2))


def sat32(x: np.ndarray) -> np.ndarray:
    return np.clip(x, INT32_MIN, INT32_MAX)


def requantize(acc: np.ndarray, M, S, B) -> np.ndarray:
    """``sat32(rshr(acc * M, S) + B)`` per channel (axis 1)."""
    nd = acc.ndim
    return sat32(rshr(acc.astype(np.int64) * _ch(M, nd), _ch(S, nd)) + _ch(B, nd))


def prelu(y: np.ndarray, A, q_slope: int = Q_SLOPE) -> np.ndarray:
    """``y >= 0 ? y : sat32(rshr(y * A, q_slope))`` (a slope above 1 can leave int32: it saturates)."""
    return np.where(y >= 0, y, sat32(rshr(y * _ch(A, y.ndim), q_slope)))


def dsa(
    x: np.ndarray, T1, T2, group_axes: tuple[int, ...], one: int = ONE, s2_max: int = S2_MAX
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer dual-scale activation: (+-1 plane 1, +-1 plane 2, s2 with keepdims)."""
    u = x - _ch(T1, x.ndim)
    b1 = np.where(u < 0, -1, 1).astype(np.int64)
    r = x - b1 * one - _ch(T2, x.ndim)
    b2 = np.where(r < 0, -1, 1).astype(np.int64)
    n = int(np.prod([x.shape[a] for a in group_axes]))
    total = np.abs(r).sum(axis=group_axes, keepdims=True)
    s2 = np.minimum((total + n // 2) // n, s2_max)
    return b1, b2, s2


def _q_slope(ir: ModelIR) -> int:
    return int(ir.constants.get("q_slope", Q_SLOPE))


def _fmt(ir: ModelIR) -> dict:
    """The IR's activation format: ``one`` (2^q_act) and ``s2_max``."""
    c = ir.constants
    return {"one": 1 << int(c["q_act"]), "s2_max": int(c["s2_max"])}


def _exact(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype(np.int64)


def conv2d_pm1(a: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Integer cross-correlation with zero padding: a (N, C, H, W), w (O, C, k, k) -> (N, O, Ho, Wo)."""
    n, c, h, wd = a.shape
    o, _, k, _ = w.shape
    ap = np.zeros((n, c, h + 2 * pad, wd + 2 * pad))
    ap[:, :, pad : pad + h, pad : pad + wd] = a
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    out = np.zeros((n, ho, wo, o))
    wf = w.astype(np.float64)
    for i in range(k):
        for j in range(k):
            patch = ap[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride]
            out += np.moveaxis(patch, 1, -1) @ wf[:, :, i, j].T
    return _exact(np.moveaxis(out, -1, 1))


def dense_pm1(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """a (N, C, T), w (O, C) -> (N, O, T)."""
    return _exact(np.einsum("nct,oc->not", a.astype(np.float64), w.astype(np.float64), optimize=True))


def dwconv1d_pm1(a: np.ndarray, w: np.ndarray, pad: int) -> np.ndarray:
    n, c, t = a.shape
    ap = np.zeros((n, c, t + 2 * pad), dtype=np.int64)
    ap[:, :, pad : pad + t] = a
    return sum(ap[:, :, i : i + t] * w[None, :, i : i + 1] for i in range(w.shape[1]))


# ---------------------------------------------------------------- layers


def conv1(ir: ModelIR, feats: np.ndarray) -> np.ndarray:
    """int16 features (N, mels, frames) -> h1 (N, 16, 16, 16)."""
    lay = ir.layer("conv1")
    k = lay["kernel"]
    q = ir.get("conv1", "q").astype(np.int64).reshape(-1, 1, k, k)
    x = np.asarray(feats, dtype=np.int64)[:, None] - ir.constants["feat_mean"]
    acc = conv2d_pm1(x, q, lay["stride"], lay["pad"])
    y = requantize(acc, ir.get("conv1", "M"), ir.get("conv1", "S"), ir.get("conv1", "B"))
    return prelu(y, ir.get("conv1", "A"), _q_slope(ir))


def _binary_out(ir: ModelIR, name: str, d1, d2, s2, roles=None) -> np.ndarray:
    acc = d1 * _fmt(ir)["one"] + s2 * d2
    arr = roles or {r: ir.get(name, r) for r in ("M", "S", "B", "A")}
    return prelu(requantize(acc, arr["M"], arr["S"], arr["B"]), arr["A"], _q_slope(ir))


def conv2(ir: ModelIR, h1: np.ndarray) -> np.ndarray:
    """h1 (N, 16, 16, 16) -> h2 (N, 32, 8, 8)."""
    lay = ir.layer("conv2")
    k = lay["kernel"]
    c_in = lay["in_shape"][0]
    b1, b2, s2 = dsa(h1, ir.get("conv2", "T1"), ir.get("conv2", "T2"), (1, 2, 3), **_fmt(ir))
    w = signs_from_bits(ir.get("conv2", "W")[..., None], c_in)  # (O, k*k, C)
    w = w.reshape(w.shape[0], k, k, c_in).transpose(0, 3, 1, 2)
    d1 = conv2d_pm1(b1, w, lay["stride"], lay["pad"])
    d2 = conv2d_pm1(b2, w, lay["stride"], lay["pad"])
    return _binary_out(ir, "conv2", d1, d2, s2)


def bdense(ir: ModelIR, name: str, x: np.ndarray, roles=None) -> np.ndarray:
    """Binary 1x1 conv / per-frame linear: x (N, C, T) -> (N, O, T) after requantize + PReLU."""
    n_in = ir.layer(name)["in_shape"][0]
    b1, b2, s2 = dsa(x, ir.get(name, "T1"), ir.get(name, "T2"), (1,), **_fmt(ir))
    w = signs_from_bits(ir.get(name, "W"), n_in)
    return _binary_out(ir, name, dense_pm1(b1, w), dense_pm1(b2, w), s2, roles)


def proj(ir: ModelIR, h2: np.ndarray) -> np.ndarray:
    n, c, h, t = h2.shape
    return bdense(ir, "proj", h2.reshape(n, c * h, t))


def mem(ir: ModelIR, i: int, p: np.ndarray) -> np.ndarray:
    """Memory block i with its residual: p (N, 128, T) -> m."""
    name = f"block{i}.mem"
    lay = ir.layer(name)
    b1, b2, s2 = dsa(p, ir.get(name, "T1"), ir.get(name, "T2"), (2,), **_fmt(ir))
    w = signs_from_bits(ir.get(name, "W")[:, None], lay["kernel"])
    d1 = dwconv1d_pm1(b1, w, lay["pad"])
    d2 = dwconv1d_pm1(b2, w, lay["pad"])
    return sat32(_binary_out(ir, name, d1, d2, s2) + p)


def fc1(ir: ModelIR, i: int, m: np.ndarray) -> np.ndarray:
    return bdense(ir, f"block{i}.fc1", m)


def fc2(ir: ModelIR, i: int, h: np.ndarray, m: np.ndarray, width: str) -> np.ndarray:
    name = f"block{i}.fc2"
    paths = ir.layer(name)["paths"]
    roles = {r: ir.arrays[a] for r, a in paths[width].items()}
    return sat32(bdense(ir, name, h, roles) + m)


def block(ir: ModelIR, i: int, p: np.ndarray, width: str) -> np.ndarray:
    m = mem(ir, i, p)
    return fc2(ir, i, fc1(ir, i, m), m, width)


def classifier(ir: ModelIR, p: np.ndarray) -> np.ndarray:
    """p (N, 128, T) -> logits (N, n_classes), int32 in the activation format."""
    shift = ir.layer("classifier")["in_shift"]
    v = np.clip(rshr(p.reshape(p.shape[0], -1), shift), -32768, 32767)
    q = ir.get("classifier", "q").astype(np.float64)
    acc = _exact(v.astype(np.float64) @ q.T)
    return requantize(acc, ir.get("classifier", "M"), ir.get("classifier", "S"), ir.get("classifier", "B"))


def run_layers(ir: ModelIR, feats: np.ndarray, width: str = "1") -> dict[str, np.ndarray]:
    """Every intermediate activation by layer name (for finding which layer drifts)."""
    feats = np.asarray(feats)
    if feats.ndim == 2:
        feats = feats[None]
    out: dict[str, np.ndarray] = {}
    out["conv1"] = conv1(ir, feats)
    out["conv2"] = conv2(ir, out["conv1"])
    p = out["proj"] = proj(ir, out["conv2"])
    for i in ir.blocks(width):
        m = out[f"block{i}.mem"] = mem(ir, i, p)
        h = out[f"block{i}.fc1"] = fc1(ir, i, m)
        p = out[f"block{i}.fc2"] = fc2(ir, i, h, m, width)
    out["classifier"] = classifier(ir, p)
    return out


def logits(
    ir: ModelIR, feats: np.ndarray, width: str = "1", batch: int = 256, progress: bool = False
) -> np.ndarray:
    """int16 features (N, 32, 32) -> int64 logits (N, n_classes) (int32 values, Q ``q_act``)."""
    feats = np.asarray(feats)
    single = feats.ndim == 2
    if single:
        feats = feats[None]
    blocks = ir.blocks(width)
    outs = []
    starts = range(0, len(feats), batch)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc=f"integer reference (width {width})", unit="batch", leave=False)
    for s in starts:
        p = proj(ir, conv2(ir, conv1(ir, feats[s : s + batch])))
        for i in blocks:
            p = block(ir, i, p, width)
        outs.append(classifier(ir, p))
    res = np.concatenate(outs) if outs else np.zeros((0, len(ir.labels)), dtype=np.int64)
    return res[0] if single else res
