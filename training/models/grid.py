"""Device-grid semantics (SPEC §3): the student rounds every value where the integer model rounds it.

The integer reference (``bifsmn_mcu/model/intref.py``, SPEC §5) keeps activations as int32 on the
Q16 grid (``ONE = 2^16``), stores thresholds and biases in Q16 and PReLU slopes in Q15 (rounded half
away from zero, ``fold.to_fixed``), rounds every requantize and PReLU product half up (``rshr``),
computes the DSA scale as ``s2 = min(round_half_up(sum |r| / n), s2_max)`` on the Q16 grid and folds
``bn_scale * w_scale`` (times the input scale) into one multiplier ``M / 2^S``. These functions do
the same on float tensors holding ``int / ONE``, so in float64 the eval forward computes the device's
numbers exactly (float32 is close but not exact near a grid boundary). Gradients pass straight through
every rounding (identity), so training learns under the device grid.

``requant`` has two modes: ``exact`` (BatchNorm with its running statistics, folded and quantised as
the export does: eval and deployment) and the training mode (BatchNorm as torch computes it, batch
statistics included, then the output rounded to the grid).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from bifsmn_mcu.model.fold import INT32_MAX, INT32_MIN, ONE, Q_ACT, Q_SLOPE, S2_MAX, quantize_multiplier

from .quant import _STE


class _RoundHalfUp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v: torch.Tensor, step: float) -> torch.Tensor:
        return (v * step).add_(0.5).floor_().div_(step)

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        return g, None


class _Sat(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v: torch.Tensor) -> torch.Tensor:
        return torch.clamp(v, INT32_MIN / ONE, INT32_MAX / ONE)

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        return g


def round_half_up(v: torch.Tensor, frac: int = Q_ACT) -> torch.Tensor:
    """``floor(v * 2^frac + 0.5) / 2^frac`` (the device's ``rshr``), identity gradient."""
    return _RoundHalfUp.apply(v, float(1 << frac))


def fixed(v: torch.Tensor, frac: int) -> torch.Tensor:
    """A constant as the export stores it (``fold.to_fixed``): half away from zero, int32-saturated."""
    step = float(1 << frac)
    d = v.detach() * step
    q = torch.clamp(torch.sign(d) * torch.floor(d.abs() + 0.5), INT32_MIN, INT32_MAX) / step
    return _STE.apply(v, q)


def sat(v: torch.Tensor) -> torch.Tensor:
    """int32 saturation of an activation (``sat32``), identity gradient."""
    return _Sat.apply(v)


def s2_mean(r: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    """DSA scale ``min((sum |r| + n/2) // n, s2_max)`` on the Q16 grid (no gradient, like s2)."""
    n = math.prod(r.shape[d] for d in dims)
    total = r.detach().abs().sum(dim=dims, keepdim=True) * ONE
    return torch.clamp(torch.floor((total + (n // 2)) / n), max=S2_MAX) / ONE


def prelu(y: torch.Tensor, slope: torch.Tensor) -> torch.Tensor:
    """``y >= 0 ? y : sat(rshr(y * A, 15))`` with the slope ``A`` on the Q15 grid (per channel, dim 1).

    ``y`` is on the grid (a requantised output), so rounding leaves ``y >= 0`` as it is.
    """
    return sat(round_half_up(F.prelu(y, fixed(slope, Q_SLOPE))))


def multiplier(m: torch.Tensor, bound: int) -> torch.Tensor:
    """``M / 2^S`` of ``fold.quantize_multiplier`` (identity gradient); non-finite ``m`` stays as is."""
    md = m.detach()
    if not bool(torch.isfinite(md).all()):
        return m
    M, S = quantize_multiplier(md.cpu().double().numpy(), bound)
    q = torch.from_numpy(M.astype(np.float64) / np.exp2(S.astype(np.float64)))
    return _STE.apply(m, q.to(dtype=m.dtype, device=m.device))


def bn_fold(bn: nn.modules.batchnorm._BatchNorm) -> tuple[torch.Tensor, torch.Tensor]:
    """Eval BatchNorm as ``scale * z + bias`` (same arithmetic as ``deploy_state``)."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


def requant(
    acc: torch.Tensor,
    scale: torch.Tensor,
    bound: int,
    *,
    exact: bool,
    bn: nn.modules.batchnorm._BatchNorm | None = None,
    bias: torch.Tensor | None = None,
    div: torch.Tensor | float = 1.0,
) -> torch.Tensor:
    """A layer's output on the grid from the device accumulator ``acc`` (integer valued, channels on dim 1).

    ``acc * scale[o] / div`` is the output in units of ``1 / ONE`` before BatchNorm and ``bias``
    (``bound`` bounds ``|acc|``, as in the IR). ``exact``: ``sat(rshr(acc * M, S) + B)`` with
    ``M / 2^S = bn_scale * scale / div`` quantised as the export does and ``B`` the bias in Q16;
    otherwise (training) ``sat(round(BN(acc * scale / div / ONE + bias)))``.
    """
    shape = (1, -1) + (1,) * (acc.dim() - 2)
    if not exact:
        z = acc * (scale / div / ONE).view(shape)
        if bias is not None:
            z = z + bias.view(shape)
        return sat(round_half_up(bn(z) if bn is not None else z))
    if bn is not None:
        g, bb = bn_fold(bn)  # BN(z + bias) = g * z + (bb + g * bias), as in training
        bias = bb if bias is None else bb + g * bias
        scale = g * scale
    m = multiplier(scale / div, bound)
    y = round_half_up(acc * m.view(shape) / ONE)
    return sat(y if bias is None else y + fixed(bias, Q_ACT).view(shape))
