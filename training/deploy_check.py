"""A numpy float64 forward of the deploy dict (SPEC section 3), to check ``deploy_state`` against torch.

Independent of torch on purpose: it reads only the dict. ``forward(state, feats, width)``.
"""

from __future__ import annotations

import numpy as np


def _sign(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, 1.0, -1.0)


def _prelu(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    a = a.reshape((-1,) + (1,) * (x.ndim - 1))
    return np.where(x >= 0, x, a * x)


def _chan(v: np.ndarray, ndim: int) -> np.ndarray:
    return v.reshape((-1,) + (1,) * (ndim - 1))


def dsa(x: np.ndarray, t1: np.ndarray, t2: np.ndarray, group_axes: tuple[int, ...] | None) -> np.ndarray:
    """Dual-scale activation of one sample ``x`` (C, ...); ``group_axes`` are the axes s2 averages over."""
    b1 = _sign(x - _chan(t1, x.ndim))
    r = x - b1 - _chan(t2, x.ndim)
    s2 = np.abs(r).mean(axis=group_axes, keepdims=True)
    return b1 + s2 * _sign(r)


def _conv2d_s2(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x (Cin, H, W), w (Cout, Cin, 5, 5), stride 2, pad 2 -> (Cout, H/2, W/2)."""
    cin, h, wd = x.shape
    xp = np.zeros((cin, h + 4, wd + 4))
    xp[:, 2:-2, 2:-2] = x
    ho, wo = h // 2, wd // 2
    out = np.zeros((w.shape[0], ho, wo))
    for ky in range(5):
        for kx in range(5):
            patch = xp[:, ky : ky + 2 * ho : 2, kx : kx + 2 * wo : 2]  # (Cin, ho, wo)
            out += np.einsum("oc,chw->ohw", w[:, :, ky, kx], patch)
    return out


def _bn_prelu(z: np.ndarray, d: dict) -> np.ndarray:
    return _prelu(_chan(d["bn_scale"], z.ndim) * z + _chan(d["bn_bias"], z.ndim), d["prelu"])


def _pointwise(x: np.ndarray, d: dict) -> np.ndarray:
    a = dsa(x, d["t1"], d["t2"], (0,))  # group = one frame (all input channels)
    return d["w_scale"][:, None] * (d["w_sign"].astype(np.float64) @ a)


def forward(state: dict, feats: np.ndarray, width: str = "1") -> np.ndarray:
    """Logits (12,) of one int16 feature map ``(32 mel, 32 time)`` on path ``width``."""
    x0 = (np.asarray(feats, dtype=np.float64) - state["feat_mean"]) / state["feat_std"]
    c1 = state["conv1"]
    h1 = _bn_prelu(_conv2d_s2(x0[None], c1["w"]), c1)
    c2 = state["conv2"]
    a = dsa(h1, c2["t1"], c2["t2"], (0, 1, 2))
    h2 = _bn_prelu(c2["w_scale"][:, None, None] * _conv2d_s2(a, c2["w_sign"].astype(np.float64)), c2)
    x = h2.reshape(256, h2.shape[-1])
    pj = state["proj"]
    p = _prelu(_pointwise(x, pj) + pj["bias"][:, None], pj["prelu"])
    for i in state["paths"][width]:
        blk = state["blocks"][i]
        mem = blk["mem"]
        a = dsa(p, mem["t1"], mem["t2"], (1,))  # group = one channel over the frames
        ap = np.pad(a, ((0, 0), (2, 2)))
        t = p.shape[1]
        z = sum(mem["w_sign"][:, k : k + 1] * ap[:, k : k + t] for k in range(5)) * mem["w_scale"][:, None]
        m = _bn_prelu(z, mem) + p
        h = _bn_prelu(_pointwise(m, blk["fc1"]), blk["fc1"])
        fc2 = blk["fc2"]
        p = _bn_prelu(_pointwise(h, fc2), fc2["paths"][width]) + m
    v = np.clip(np.floor(p.reshape(-1) * 256.0 + 0.5), -32768, 32767) / 256.0
    cl = state["classifier"]
    return cl["w"] @ v + cl["bias"]
