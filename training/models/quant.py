"""Straight-through quantisers: sign with sign(0)=+1, LPB, int8 per-channel and int16 Q8 fake quant.

Every forward returns the quantised value exactly (custom autograd functions, not ``x + (q - x).detach()``,
which is off by rounding), so the eval forward equals the deploy semantics bit for bit in the signs.
"""

from __future__ import annotations

import torch


def sign_pm(x: torch.Tensor) -> torch.Tensor:
    """+1 where x >= 0, -1 elsewhere (sign(0) = +1, as the device's bit test ``x < 0``)."""
    return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)


class _LPBSign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(u, alpha)
        return sign_pm(u)

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        u, alpha = ctx.saved_tensors
        inside = ((alpha * u).abs() <= 1.0).to(g.dtype)
        gu = g * alpha * inside
        ga = (g * u * inside).sum().reshape(alpha.shape) if ctx.needs_input_grad[1] else None
        return gu, ga


def lpb_sign(u: torch.Tensor, alpha: torch.Tensor | None = None) -> torch.Tensor:
    """Learning Propagation Binarizer: forward sign(u); backward the gradient of clamp(alpha*u, -1, 1).

    ``alpha`` (> 0) scales the straight-through window: d/du = alpha on |alpha u| <= 1, and
    d/dalpha = u there, so a learnable alpha receives a gradient. ``None`` = 1, the clipped STE.
    """
    if alpha is None:
        alpha = torch.ones((), dtype=u.dtype, device=u.device)
    return _LPBSign.apply(u, alpha)


class _STE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        return q.clone()

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        return g, None


def _int8(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, tuple[int, ...]]:
    wd = w.detach()
    scale = wd.reshape(w.shape[0], -1).abs().amax(dim=1).clamp_min(1e-12) / 127.0
    shape = (-1,) + (1,) * (w.dim() - 1)
    return torch.clamp(torch.round(wd / scale.view(shape)), -127, 127), scale, shape


def fake_int8_per_channel(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 per output channel (dim 0): returns (q * scale, STE to w; scale).

    scale[o] = max|W[o]| / 127; q = clamp(round(W / scale), -127, 127).
    """
    q, scale, shape = _int8(w)
    return _STE.apply(w, q * scale.view(shape)), scale


def int8_codes(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The same quantisation as integer codes: (q, STE to ``W / scale``; scale), so ``q * scale ~ W``."""
    q, scale, shape = _int8(w)
    return _STE.apply(w / scale.view(shape), q), scale


def quant16(v: torch.Tensor) -> torch.Tensor:
    """int16 Q8 fake quant (STE): clamp(floor(v*256 + 0.5), -32768, 32767) / 256.

    Rounds half up, like the device's ``rshr``; the STE passes the gradient unchanged.
    """
    q = torch.clamp(torch.floor(v.detach() * 256.0 + 0.5), -32768, 32767) / 256.0
    return _STE.apply(v, q)
