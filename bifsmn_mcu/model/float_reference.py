"""numpy float64 forward of a deploy dict (SPEC §3-4): the float twin of the PyTorch eval model.

``forward(deploy, features, width)`` takes int16 features ``(N, 32 mel, 32 time)`` (or one clip
``(32, 32)``) and returns float64 logits ``(N, n_classes)``. Every step follows SPEC §3 literally:
dual-scale activation with sign(0) = +1, zero padding on the binarised activation, binary weights
``sign(W) * s_w``, BatchNorm already folded to ``scale * z + bias``, ``quant16`` before the classifier.
"""

from __future__ import annotations

import numpy as np

ArrayDict = dict


def sign(x: np.ndarray) -> np.ndarray:
    """+1 for x >= 0, -1 otherwise (SPEC: sign(0) = +1)."""
    return np.where(x >= 0, 1.0, -1.0)


def prelu(x: np.ndarray, slope: np.ndarray, axis: int = 1) -> np.ndarray:
    s = _bcast(slope, x.ndim, axis)
    return np.where(x >= 0, x, x * s)


def _bcast(v: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    shape = [1] * ndim
    shape[axis] = -1
    return np.asarray(v, dtype=np.float64).reshape(shape)


def dsa(x: np.ndarray, t1: np.ndarray, t2: np.ndarray, group_axes: tuple[int, ...]) -> tuple:
    """Dual-scale activation over channel axis 1: returns ``(b1, b2, s2)`` with ``s2`` keepdims."""
    b1 = sign(x - _bcast(t1, x.ndim, 1))
    r = x - b1 - _bcast(t2, x.ndim, 1)
    b2 = sign(r)
    s2 = np.mean(np.abs(r), axis=group_axes, keepdims=True)
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


def binary_weight(layer: ArrayDict) -> np.ndarray:
    w = np.asarray(layer["w_sign"], dtype=np.float64)
    return w * _bcast(layer["w_scale"], w.ndim, 0)


def _bn(z: np.ndarray, scale: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return z * _bcast(scale, z.ndim, 1) + _bcast(bias, z.ndim, 1)


def _dense(x: np.ndarray, layer: ArrayDict) -> np.ndarray:
    """Binary 1x1 conv / per-frame linear on (N, C, T) with DSA grouped per frame."""
    b1, b2, s2 = dsa(x, layer["t1"], layer["t2"], group_axes=(1,))
    w = binary_weight(layer)
    return np.einsum("nct,oc->not", b1, w) + s2 * np.einsum("nct,oc->not", b2, w)


def stem(deploy: ArrayDict, feats: np.ndarray) -> np.ndarray:
    """conv1 + conv2 + reshape: int16 features (N, 32, 32) -> (N, 256, 8)."""
    x0 = (np.asarray(feats, dtype=np.float64) - float(deploy["feat_mean"])) / float(deploy["feat_std"])
    c1 = deploy["conv1"]
    h1 = conv2d(x0[:, None], np.asarray(c1["w"], dtype=np.float64), stride=2, pad=2)
    h1 = prelu(_bn(h1, c1["bn_scale"], c1["bn_bias"]), c1["prelu"])
    c2 = deploy["conv2"]
    b1, b2, s2 = dsa(h1, c2["t1"], c2["t2"], group_axes=(1, 2, 3))
    w2 = binary_weight(c2)
    z = conv2d(b1, w2, 2, 2) + s2 * conv2d(b2, w2, 2, 2)
    h2 = prelu(_bn(z, c2["bn_scale"], c2["bn_bias"]), c2["prelu"])
    n, c, h, t = h2.shape
    return h2.reshape(n, c * h, t)


def proj(deploy: ArrayDict, x: np.ndarray) -> np.ndarray:
    pr = deploy["proj"]
    return prelu(_dense(x, pr) + _bcast(pr["bias"], 3, 1), pr["prelu"])


def block(blk: ArrayDict, p: np.ndarray, width: str) -> np.ndarray:
    """One D-FSMN block on (N, 128, T)."""
    mem = blk["mem"]
    b1, b2, s2 = dsa(p, mem["t1"], mem["t2"], group_axes=(2,))
    w = binary_weight(mem)
    z = dwconv1d(b1, w, 2) + s2 * dwconv1d(b2, w, 2)
    m = prelu(_bn(z, mem["bn_scale"], mem["bn_bias"]), mem["prelu"]) + p
    fc1 = blk["fc1"]
    h = prelu(_bn(_dense(m, fc1), fc1["bn_scale"], fc1["bn_bias"]), fc1["prelu"])
    fc2 = blk["fc2"]
    path = fc2["paths"][width]
    return prelu(_bn(_dense(h, fc2), path["bn_scale"], path["bn_bias"]), path["prelu"]) + m


def quant16(v: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(v * 256.0 + 0.5), -32768, 32767) / 256.0  # round half up, like rshr


def classifier(deploy: ArrayDict, p: np.ndarray) -> np.ndarray:
    cl = deploy["classifier"]
    flat = quant16(p.reshape(p.shape[0], -1))
    return flat @ np.asarray(cl["w"], dtype=np.float64).T + np.asarray(cl["bias"], dtype=np.float64)


def forward(deploy: ArrayDict, features: np.ndarray, width: str = "1") -> np.ndarray:
    """Float64 logits of a deploy dict for int16 features (N, 32, 32) or (32, 32)."""
    feats = np.asarray(features)
    single = feats.ndim == 2
    if single:
        feats = feats[None]
    if width not in deploy["paths"]:
        raise ValueError(f"width {width!r} not in the model (has {', '.join(deploy['paths'])})")
    p = proj(deploy, stem(deploy, feats))
    for i in deploy["paths"][width]:
        p = block(deploy["blocks"][i], p, width)
    logits = classifier(deploy, p)
    return logits[0] if single else logits


def run_layers(deploy: ArrayDict, features: np.ndarray, width: str = "1") -> dict[str, np.ndarray]:
    """Every intermediate activation by layer name, named like ``intref.run_layers``."""
    feats = np.asarray(features)
    if feats.ndim == 2:
        feats = feats[None]
    out: dict[str, np.ndarray] = {}
    x0 = (feats.astype(np.float64) - float(deploy["feat_mean"])) / float(deploy["feat_std"])
    c1 = deploy["conv1"]
    h1 = conv2d(x0[:, None], np.asarray(c1["w"], dtype=np.float64), stride=2, pad=2)
    out["conv1"] = prelu(_bn(h1, c1["bn_scale"], c1["bn_bias"]), c1["prelu"])
    c2 = deploy["conv2"]
    b1, b2, s2 = dsa(out["conv1"], c2["t1"], c2["t2"], group_axes=(1, 2, 3))
    w2 = binary_weight(c2)
    z = conv2d(b1, w2, 2, 2) + s2 * conv2d(b2, w2, 2, 2)
    out["conv2"] = prelu(_bn(z, c2["bn_scale"], c2["bn_bias"]), c2["prelu"])
    n, c, h, t = out["conv2"].shape
    p = out["proj"] = proj(deploy, out["conv2"].reshape(n, c * h, t))
    for i in deploy["paths"][width]:
        blk = deploy["blocks"][i]
        mem = blk["mem"]
        b1, b2, s2 = dsa(p, mem["t1"], mem["t2"], group_axes=(2,))
        w = binary_weight(mem)
        zm = dwconv1d(b1, w, 2) + s2 * dwconv1d(b2, w, 2)
        m = out[f"block{i}.mem"] = prelu(_bn(zm, mem["bn_scale"], mem["bn_bias"]), mem["prelu"]) + p
        fc1 = blk["fc1"]
        hh = out[f"block{i}.fc1"] = prelu(_bn(_dense(m, fc1), fc1["bn_scale"], fc1["bn_bias"]), fc1["prelu"])
        fc2 = blk["fc2"]
        path = fc2["paths"][width]
        p = out[f"block{i}.fc2"] = (
            prelu(_bn(_dense(hh, fc2), path["bn_scale"], path["bn_bias"]), path["prelu"]) + m
        )
    out["classifier"] = classifier(deploy, p)
    return out
