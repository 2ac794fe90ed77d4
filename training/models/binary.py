"""Binary layers: dual-scale activation (DSA) + true 1-bit weights with per-output-channel scale.

Modes of the activation binarizer (``act``):
- ``"dsa"``: BiFSMNv2, ``b1 = sign(x - t1)``, ``r = x - b1 - t2``, ``a = b1 + s2 * sign(r)``,
  ``s2 = mean|r|`` over the scale group (detached);
- ``"single"``: one plane with a learnable threshold, ``a = sign(x - t1)`` (the no-DSA ablation);
- ``"sign"``: ``a = sign(x)`` (plain BNN, BiFSMN v1).
``lpb``: the straight-through window of every sign is scaled by a learnable alpha (LPB); otherwise alpha = 1.
``weight_scale``: ``w = sign(W) * mean|W[o]|`` (true 1 bit, per output channel); otherwise ``sign(W)``.
``real_weights`` (a training stage, not part of the model: ``use_real_weights``): the layer computes with
the latent weights ``W`` instead (binary activations, real weights), the first stage of a two-stage schedule.
Device grid (``grid.py``, SPEC §3): ``t1``, ``t2`` are used as the export stores them (Q16) and ``s2`` is
the rounded mean on the Q16 grid; ``BinaryConv.accumulate`` returns the device accumulator
``ONE * (d1 + s2 * d2)`` and the weight scale apart, for the student's requantisation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from bifsmn_mcu.model.fold import ONE, Q_ACT, binary_acc_bound

from .grid import fixed, s2_mean
from .quant import lpb_sign

# scale group of s2, as dims reduced for the layer's input layout
GROUP_DIMS = {"sample": (1, 2, 3), "frame": (1,), "channel": (2,)}
ALPHA_MIN = 1e-2


class BinaryActivation(nn.Module):
    def __init__(self, channels: int, group: str, act: str = "dsa", lpb: bool = True) -> None:
        super().__init__()
        if act not in ("dsa", "single", "sign"):
            raise ValueError(f"unknown activation binarizer {act!r}")
        self.act, self.group, self.channels = act, group, channels
        self.t1 = nn.Parameter(torch.zeros(channels)) if act != "sign" else None
        self.t2 = nn.Parameter(torch.zeros(channels)) if act == "dsa" else None
        self.alpha1 = nn.Parameter(torch.ones(())) if lpb else None
        self.alpha2 = nn.Parameter(torch.ones(())) if (lpb and act == "dsa") else None

    @staticmethod
    def _alpha(p: nn.Parameter | None) -> torch.Tensor | None:
        return None if p is None else p.clamp_min(ALPHA_MIN)

    def _bc(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return t.view((1, -1) + (1,) * (x.dim() - 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.act == "sign":
            return lpb_sign(x, self._alpha(self.alpha1))
        b1 = lpb_sign(x - self._bc(fixed(self.t1, Q_ACT), x), self._alpha(self.alpha1))
        if self.act == "single":
            return b1
        r = x - b1 - self._bc(fixed(self.t2, Q_ACT), x)
        s2 = s2_mean(r, GROUP_DIMS[self.group])
        return b1 + s2 * lpb_sign(r, self._alpha(self.alpha2))


def weight_scale(w: torch.Tensor, scaled: bool) -> torch.Tensor:
    """``s_w[o] = mean|W[o, ...]|`` (ones when the layer is not scaled)."""
    if not scaled:
        return torch.ones(w.shape[0], dtype=w.dtype, device=w.device)
    return w.abs().reshape(w.shape[0], -1).mean(dim=1)


def binarize_weight(w: torch.Tensor, alpha: torch.Tensor | None, scaled: bool) -> torch.Tensor:
    """``sign(W) * mean|W[o, ...]|`` (or plain ``sign(W)``) with the LPB straight-through gradient."""
    b = lpb_sign(w, alpha)
    if not scaled:
        return b
    return b * weight_scale(w, True).view((-1,) + (1,) * (w.dim() - 1))


class BinaryConv(nn.Module):
    """Binarized activation + binarized-weight convolution.

    ``kind``: ``"conv2d"`` (5x5 stride 2 pad 2), ``"pointwise"`` (1x1 conv1d), ``"depthwise"`` (k=5 pad 2).
    The ``weight`` has the same shape as the teacher's layer, so the student loads it directly.
    """

    def __init__(
        self,
        kind: str,
        cin: int,
        cout: int,
        group: str,
        *,
        act: str = "dsa",
        lpb: bool = True,
        weight_scale: bool = True,
        bias: bool = False,
    ) -> None:
        super().__init__()
        self.kind = kind
        shapes = {"conv2d": (cout, cin, 5, 5), "pointwise": (cout, cin, 1), "depthwise": (cout, 1, 5)}
        self.weight = nn.Parameter(torch.empty(shapes[kind]))
        nn.init.kaiming_uniform_(self.weight, a=5**0.5)
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.binact = BinaryActivation(cin, group, act, lpb)
        self.alpha_w = nn.Parameter(torch.ones(())) if lpb else None
        self.weight_scale = weight_scale
        self.acc_bound = binary_acc_bound(self.weight[0].numel())  # |acc| bound of the IR (fan-in)
        self.real_weights = False  # training stage 1 only (see use_real_weights); never exported

    def _alpha_w(self) -> torch.Tensor | None:
        return None if self.alpha_w is None else self.alpha_w.clamp_min(ALPHA_MIN)

    def binary_weight(self) -> torch.Tensor:
        return binarize_weight(self.weight, self._alpha_w(), self.weight_scale)

    def accumulate(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(acc, s_w)``: the device accumulator ``ONE * (d1 + s2 * d2)`` (the +-1 weights' dot
        products with both planes) and the per-output weight scale; the layer is ``acc * s_w / ONE``."""
        a = self.binact(x)
        s_w = weight_scale(self.weight, self.weight_scale)
        if self.real_weights:  # W / s_w, so that acc * s_w / ONE is the real-weight layer's output
            b = self.weight / s_w.view((-1,) + (1,) * (self.weight.dim() - 1))
        else:
            b = lpb_sign(self.weight, self._alpha_w())
        if self.kind == "conv2d":
            d = F.conv2d(a, b, stride=2, padding=2)
        elif self.kind == "pointwise":  # batched matmul: faster than a k=1 conv1d on CPU
            d = torch.matmul(b[:, :, 0], a)
        else:
            d = depthwise5(a, b[:, 0, :])
        return d * ONE, s_w

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Float output ``s_w * (d1 + s2 * d2) + bias`` (the student requantises ``accumulate`` instead)."""
        acc, s = self.accumulate(x)
        y = acc * (s / ONE).view((1, -1) + (1,) * (acc.dim() - 2))
        return y if self.bias is None else y + self.bias.view((1, -1) + (1,) * (acc.dim() - 2))


def use_real_weights(model: nn.Module, on: bool = True) -> int:
    """Switch every ``BinaryConv`` of ``model`` to its latent real weights (``on``) or back to 1-bit weights.

    Activations stay binary. Stage 1 of the two-stage schedule (``train.real_weights``); its checkpoints
    hold the same parameters as any student, so ``evaluate`` / export binarize them. Returns the layer count.
    """
    layers = [m for m in model.modules() if isinstance(m, BinaryConv)]
    for m in layers:
        m.real_weights = bool(on)
    return len(layers)


def depthwise5(a: torch.Tensor, w: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """Depthwise conv over time, k = 5, zero padding 2 (2 back, 2 ahead): a (B, C, T), w (C, 5)."""
    t = a.shape[-1]
    ap = F.pad(a, (2, 2))
    y = sum(ap[:, :, k : k + t] * w[None, :, k : k + 1] for k in range(5))
    return y if bias is None else y + bias[:, None]
