"""Fold a deploy dict (SPEC §4) into the integer constants of SPEC §5 and build the IR.

Activations are int32 in Q``Q_ACT`` (``ONE = 2^Q_ACT``). Per binary layer, the float computation
``PReLU(bn_scale * s_w * (d1 + s2 * d2) + bias)`` becomes ``acc = d1 * ONE + s2 * d2`` (``s2`` in the
same format), ``y = rshr(acc * M, S) + B`` and ``PReLU`` with ``A`` (Q15), so
``M / 2^S = bn_scale * s_w`` (negative for a negative BN scale: the channel flips).
conv1: ``M / 2^S = ONE * bn_scale * w_scale / feat_std``; classifier: ``M / 2^S = 2^(Q_ACT - 8) * w_scale``.

``M`` is chosen per channel for the most precision the accumulator bound allows: ``|M| < 2^b`` with
``b = min(31, 62 - bitlen(acc_bound))`` so ``|acc * M| < 2^62`` never overflows int64, and ``S`` is
the largest shift in ``[1, 62]`` that keeps ``M`` in range. Thresholds, biases and slopes that do not
fit int32 saturate (a saturated threshold never or always fires, like the float one).

Packed layouts (uint32, LSB first, bit 1 = negative, zero padding):
- ``conv2.W`` (32, 25): word ``[o, kh * 5 + kw]`` holds the 16 input channels of one tap (bit c);
  the activation bit planes are packed the same way, one word per spatial position.
- ``proj.W`` (128, 8), ``fc1.W`` (256, 4), ``fc2.W`` (128, 8): row ``o`` packed along the inputs;
  activations are packed per frame along the channels (``ceil(C / 32)`` words per frame).
- ``mem.W`` (128,): word ``c`` holds the 5 taps (bit k = tap k, frame ``t + k - 2``); activations
  are packed per channel along the 8 frames.
"""

from __future__ import annotations

import math

import numpy as np

from .. import __version__
from ..frontend.config import FeatureConfig
from . import WIDTHS
from .bitpack import pack_bits
from .errors import FoldError
from .ir import FORMAT, FORMAT_VERSION, ModelIR, width_tag

Q_ACT = 16  # activations are int32 in Q16 (Q12 measured too coarse: DSA bit flips, see drift.py)
ONE = 1 << Q_ACT
Q_SLOPE = 15
S2_MAX = 1 << 22  # DSA scale s2 saturates here (64.0): with <= 400 inputs, d1*ONE + s2*d2 fits int32
CLS_SHIFT = Q_ACT - 8  # classifier input: Q16 -> Q8, clamped to int16
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def _round(x: np.ndarray) -> np.ndarray:
    """Round half away from zero, exactly, on float64."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def to_fixed(x: np.ndarray, frac_bits: int) -> np.ndarray:
    """round(x * 2^frac_bits), saturated to int32."""
    v = _round(np.asarray(x, dtype=np.float64) * float(1 << frac_bits))
    if np.isnan(v).any():
        raise FoldError("NaN in a model constant")
    return np.clip(v, INT32_MIN, INT32_MAX).astype(np.int32)


def multiplier_bits(acc_bound: int) -> int:
    """How many magnitude bits ``M`` may use so ``acc * M`` cannot overflow int64."""
    return min(31, 62 - int(acc_bound).bit_length())


def quantize_multiplier(m: np.ndarray, acc_bound: int) -> tuple[np.ndarray, np.ndarray]:
    """Real per-channel multipliers -> (M int32, S int8) with ``M / 2^S ~= m``."""
    bits = multiplier_bits(acc_bound)
    if bits < 8:
        raise FoldError(f"accumulator bound {acc_bound} leaves too few multiplier bits ({bits})")
    limit = (1 << bits) - 1
    m = np.asarray(m, dtype=np.float64).ravel()
    M = np.zeros(m.shape, dtype=np.int64)
    S = np.ones(m.shape, dtype=np.int64)
    for i, v in enumerate(m):
        if not math.isfinite(v):
            raise FoldError(f"multiplier of channel {i} is not finite ({v})")
        a = abs(v)
        if a == 0.0:
            continue
        s = min(62, max(1, math.floor(math.log2(limit / a))))
        q = math.floor(a * 2.0**s + 0.5)
        while q > limit and s > 1:
            s -= 1
            q = math.floor(a * 2.0**s + 0.5)
        if q > limit:
            raise FoldError(f"multiplier {v:g} of channel {i} is too large for int32 with shift >= 1")
        M[i] = q if v > 0 else -q
        S[i] = s
    return M.astype(np.int32), S.astype(np.int8)


def _requant(prefix: str, m: np.ndarray, bias: np.ndarray, slope: np.ndarray | None, bound: int) -> dict:
    M, S = quantize_multiplier(m, bound)
    out = {f"{prefix}.M": M, f"{prefix}.S": S, f"{prefix}.B": to_fixed(bias, Q_ACT)}
    if slope is not None:
        out[f"{prefix}.A"] = to_fixed(slope, Q_SLOPE)
    return out


def _arr(d: dict, key: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    if key not in d:
        raise FoldError(f"deploy dict lacks {key!r}")
    a = np.asarray(d[key], dtype=np.float64)
    if shape is not None and a.shape != shape:
        raise FoldError(f"deploy {key!r} has shape {a.shape}, expected {shape}")
    return a


def _sign_bits(w_sign: np.ndarray) -> np.ndarray:
    w = np.asarray(w_sign)
    if not np.isin(w, (-1, 1)).all():
        raise FoldError("w_sign must hold only -1 and +1")
    return w < 0


def _thresholds(prefix: str, layer: dict, n: int) -> dict:
    return {
        f"{prefix}.T1": to_fixed(_arr(layer, "t1", (n,)), Q_ACT),
        f"{prefix}.T2": to_fixed(_arr(layer, "t2", (n,)), Q_ACT),
    }


def s8_acc_bound(fan_in: int, max_abs_in: int) -> int:
    """``|sum q * v| <= fan_in * 127 * max|v|`` for int8 weights ``q`` (conv1, classifier)."""
    return fan_in * 127 * max_abs_in


def binary_acc_bound(fan_in: int) -> int:
    """``|d1 * ONE + s2 * d2| <= fan_in * (ONE + S2_MAX)``."""
    return fan_in * (ONE + S2_MAX)


def fold(deploy: dict) -> ModelIR:
    """Deploy dict -> integer model IR holding every thin path."""
    try:
        return _fold(deploy)
    except KeyError as e:
        raise FoldError(f"deploy dict lacks {e}") from None


Part = tuple[dict, dict]  # (arrays, layer record) of one layer


def _fold(deploy: dict) -> ModelIR:
    labels = [str(x) for x in deploy["labels"]]
    n_cls = len(labels)
    fcfg = FeatureConfig.from_dict(dict(deploy["feature_config"]))
    n_mels, n_frames = fcfg.feature_shape
    feat_mean = int(deploy["feat_mean"])
    feat_std = float(deploy["feat_std"])
    if not (feat_std > 0 and math.isfinite(feat_std)):
        raise FoldError(f"feat_std must be positive, got {feat_std}")
    if not -32768 <= feat_mean <= 32767:
        raise FoldError(f"feat_mean {feat_mean} is outside int16")
    paths = {str(w): [int(i) for i in b] for w, b in deploy["paths"].items()}
    unknown = set(paths) - set(WIDTHS)
    if unknown:
        raise FoldError(f"unknown widths {sorted(unknown)}")

    parts = [_fold_conv1(deploy["conv1"], (1, n_mels, n_frames), feat_mean, feat_std)]
    parts.append(_fold_conv2(deploy["conv2"], tuple(parts[-1][1]["out_shape"])))
    c2, h2, w2 = parts[-1][1]["out_shape"]
    feat, t = c2 * h2, w2  # proj reads each frame's (channel, mel) column
    pr = deploy["proj"]
    d_model = np.asarray(pr["w_sign"]).shape[0]
    parts.append(
        _fold_bdense(
            "proj", pr, (feat, t), d_model, _arr(pr, "w_scale", (d_model,)), _arr(pr, "bias", (d_model,))
        )
    )
    for i, blk in enumerate(deploy["blocks"]):
        pre = f"block{i}"
        fc1 = blk["fc1"]
        d_hid = np.asarray(fc1["w_sign"]).shape[0]
        m_fc1 = _arr(fc1, "bn_scale", (d_hid,)) * _arr(fc1, "w_scale", (d_hid,))
        parts.append(_fold_mem(pre, blk["mem"], (d_model, t), i))
        parts.append(
            _fold_bdense(
                f"{pre}.fc1", fc1, (d_model, t), d_hid, m_fc1, _arr(fc1, "bn_bias", (d_hid,)), block=i
            )
        )
        widths = [w for w, b in paths.items() if i in b]
        parts.append(_fold_fc2(pre, blk["fc2"], (d_hid, t), d_model, widths, i))
    parts.append(_fold_classifier(deploy["classifier"], (d_model, t), n_cls))

    arrays: dict[str, np.ndarray] = {}
    for part_arrays, _ in parts:
        arrays.update(part_arrays)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generator": f"bifsmn-mcu {__version__}",
        "labels": labels,
        "feature_config": fcfg.to_dict(),
        "paths": {w: paths[w] for w in WIDTHS if w in paths},
        "constants": {
            "q_act": Q_ACT,
            "q_slope": Q_SLOPE,
            "s2_max": S2_MAX,
            "cls_shift": CLS_SHIFT,
            "feat_mean": feat_mean,
            "n_blocks": len(deploy["blocks"]),
        },
        "float_params": float_param_count(deploy),
        "layers": [layer for _, layer in parts],
    }
    return ModelIR(header, arrays).finalize()


def _int8_weights(name: str, w: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``w / scale`` (scale per output channel, axis 0) as int8; FoldError unless it is exact."""
    s = scale.reshape((-1,) + (1,) * (w.ndim - 1))
    q = _round(w / s)
    if np.abs(q).max() > 127 or not np.allclose(q * s, w, rtol=1e-6, atol=1e-12):
        raise FoldError(f"{name}.w is not int8 * w_scale")
    return q.astype(np.int8)


def _fold_conv1(c1: dict, in_shape: tuple, feat_mean: int, feat_std: float) -> Part:
    """int8 weights, ``acc = sum q * (F - feat_mean)``."""
    w1 = _arr(c1, "w")
    c_out, _, k, _ = w1.shape
    s1 = _arr(c1, "w_scale", (c_out,))
    bound = s8_acc_bound(k * k, 32768 + abs(feat_mean))
    arrays = {"conv1.q": _int8_weights("conv1", w1, s1).reshape(c_out, k * k)}
    m = ONE * _arr(c1, "bn_scale", (c_out,)) * s1 / feat_std
    arrays.update(_requant("conv1", m, _arr(c1, "bn_bias", (c_out,)), _arr(c1, "prelu", (c_out,)), bound))
    out_shape = (c_out, in_shape[1] // 2, in_shape[2] // 2)
    roles = ("q", "M", "S", "B", "A")
    return arrays, _layer(
        "conv1", "conv2d_s8", in_shape, out_shape, "conv1", roles, kernel=k, stride=2, pad=2, acc_bound=bound
    )


def _fold_conv2(c2: dict, in_shape: tuple) -> Part:
    """Binary, the bits of one tap packed along the input channels (one word)."""
    ws = np.asarray(c2["w_sign"])
    c_out, c_in, k, _ = ws.shape
    if c_in > 32:
        raise FoldError("conv2 packs its input channels into one word: at most 32")
    arrays = _thresholds("conv2", c2, c_in)
    arrays["conv2.W"] = pack_bits(_sign_bits(ws).transpose(0, 2, 3, 1).reshape(c_out, k * k, c_in))[..., 0]
    bound = binary_acc_bound(c_in * k * k)
    m = _arr(c2, "bn_scale", (c_out,)) * _arr(c2, "w_scale", (c_out,))
    arrays.update(_requant("conv2", m, _arr(c2, "bn_bias", (c_out,)), _arr(c2, "prelu", (c_out,)), bound))
    out_shape = (c_out, in_shape[1] // 2, in_shape[2] // 2)
    layer = _layer(
        "conv2",
        "bconv2d",
        in_shape,
        out_shape,
        "conv2",
        _BINARY_ROLES,
        kernel=k,
        stride=2,
        pad=2,
        acc_bound=bound,
        s2_group="sample",
        s2_count=int(np.prod(in_shape)),
    )
    return arrays, layer


def _fold_bdense(
    prefix: str, d: dict, in_shape: tuple, n_out: int, m: np.ndarray, bias: np.ndarray, **extra
) -> Part:
    """Binary linear per frame (proj, fc1): ``M / 2^S = m``, bias, PReLU."""
    n_in, t = in_shape
    bound = binary_acc_bound(n_in)
    arrays = _dense(prefix, d, n_in, n_out)
    arrays.update(_requant(prefix, m, bias, _arr(d, "prelu", (n_out,)), bound))
    layer = _layer(
        prefix,
        "bdense",
        in_shape,
        (n_out, t),
        prefix,
        _BINARY_ROLES,
        acc_bound=bound,
        s2_group="frame",
        s2_count=n_in,
        **extra,
    )
    return arrays, layer


def _fold_mem(pre: str, mem: dict, shape: tuple, block: int) -> Part:
    """Binary depthwise memory block over frames, residual."""
    d_model, t = shape
    wm = np.asarray(mem["w_sign"])
    if wm.shape != (d_model, wm.shape[1]) or wm.shape[1] > 32 or t > 32:
        raise FoldError(f"{pre}.mem: w_sign shape {wm.shape} unsupported")
    k = wm.shape[1]
    arrays = _thresholds(f"{pre}.mem", mem, d_model)
    arrays[f"{pre}.mem.W"] = pack_bits(_sign_bits(wm))[:, 0]
    bound = binary_acc_bound(k)
    m = _arr(mem, "bn_scale", (d_model,)) * _arr(mem, "w_scale", (d_model,))
    arrays.update(
        _requant(f"{pre}.mem", m, _arr(mem, "bn_bias", (d_model,)), _arr(mem, "prelu", (d_model,)), bound)
    )
    layer = _layer(
        f"{pre}.mem",
        "bdwconv1d",
        shape,
        shape,
        f"{pre}.mem",
        _BINARY_ROLES,
        kernel=k,
        pad=(k - 1) // 2,
        acc_bound=bound,
        s2_group="channel",
        s2_count=t,
        residual=True,
        block=block,
    )
    return arrays, layer


def _fold_fc2(pre: str, fc2: dict, in_shape: tuple, d_model: int, widths: list[str], block: int) -> Part:
    """Binary linear per frame, residual, with one BN + PReLU per thin path that runs the block."""
    d_hid, t = in_shape
    arrays = _dense(f"{pre}.fc2", fc2, d_hid, d_model)
    bound = binary_acc_bound(d_hid)
    sw = _arr(fc2, "w_scale", (d_model,))
    per_path = {}
    for w in widths:
        if w not in fc2["paths"]:
            raise FoldError(f"{pre}.fc2 lacks the BN/PReLU of path {w}")
        pp = fc2["paths"][w]
        tag = f"{pre}.fc2.{width_tag(w)}"
        m = _arr(pp, "bn_scale", (d_model,)) * sw
        arrays.update(_requant(tag, m, _arr(pp, "bn_bias", (d_model,)), _arr(pp, "prelu", (d_model,)), bound))
        per_path[w] = {r: f"{tag}.{r}" for r in ("M", "S", "B", "A")}
    layer = _layer(
        f"{pre}.fc2",
        "bdense",
        in_shape,
        (d_model, t),
        f"{pre}.fc2",
        ("T1", "T2", "W"),
        acc_bound=bound,
        s2_group="frame",
        s2_count=d_hid,
        residual=True,
        block=block,
    )
    layer["paths"] = per_path
    return arrays, layer


def _fold_classifier(cl: dict, in_shape: tuple, n_cls: int) -> Part:
    """int8 weights on ``clamp(rshr(p, CLS_SHIFT))`` (int16 Q8)."""
    wc = _arr(cl, "w")
    n_in = in_shape[0] * in_shape[1]
    if wc.shape != (n_cls, n_in):
        raise FoldError(f"classifier.w has shape {wc.shape}, expected {(n_cls, n_in)}")
    sc = _arr(cl, "w_scale", (n_cls,))
    bound = s8_acc_bound(n_in, 32768)
    arrays = {"classifier.q": _int8_weights("classifier", wc, sc)}
    arrays.update(_requant("classifier", (ONE >> 8) * sc, _arr(cl, "bias", (n_cls,)), None, bound))
    layer = _layer(
        "classifier",
        "dense_s8",
        in_shape,
        (n_cls,),
        "classifier",
        ("q", "M", "S", "B"),
        acc_bound=bound,
        in_shift=CLS_SHIFT,
    )
    return arrays, layer


_BINARY_ROLES = ("T1", "T2", "W", "M", "S", "B", "A")


def _dense(prefix: str, layer: dict, n_in: int, n_out: int) -> dict:
    w = np.asarray(layer["w_sign"])
    if w.shape != (n_out, n_in):
        raise FoldError(f"{prefix}.w_sign has shape {w.shape}, expected {(n_out, n_in)}")
    return {**_thresholds(prefix, layer, n_in), f"{prefix}.W": pack_bits(_sign_bits(w))}


def _layer(name: str, op: str, in_shape, out_shape, prefix: str, roles, **extra) -> dict:
    return {
        "name": name,
        "op": op,
        "in_shape": list(in_shape),
        "out_shape": list(out_shape),
        "arrays": {r: f"{prefix}.{r}" for r in roles},
        **extra,
    }


def float_param_count(deploy: dict) -> dict[str, int]:
    """Float parameters each width uses (weights + per-channel constants), for size comparisons."""

    def count(d) -> int:
        if isinstance(d, dict):
            return sum(count(v) for k, v in d.items() if k not in ("paths", "w_scale"))
        return int(np.asarray(d).size)

    common = sum(count(deploy[k]) for k in ("conv1", "conv2", "proj", "classifier"))
    # the float network stores real weights; w_scale is derived from them, so it is not counted
    out = {}
    for w, blks in deploy["paths"].items():
        n = common
        for i in blks:
            b = deploy["blocks"][i]
            n += count(b["mem"]) + count(b["fc1"]) + count(b["fc2"]) + count(b["fc2"]["paths"][w])
        out[str(w)] = n
    return out
