"""BiFSMNv2 student (and its baselines): binary D-FSMN with thinnable depth paths.

Deploy semantics in SPEC.md section 3, on the device grid (``grid.py``): every layer computes the
device's integer accumulator and requantises it like the integer reference, so in eval mode and float64
the logits are the integer model's logits / ONE. Widths are the strings ``"1", "1/2", "1/4", "1/8"``.
"""

from __future__ import annotations

import torch
from torch import nn

from bifsmn_mcu.model.fold import ONE, s8_acc_bound

from . import grid
from .binary import BinaryConv
from .normalize import FeatureNorm
from .quant import int8_codes, quant16

WIDTHS = ("1", "1/2", "1/4", "1/8")
PATH_BLOCKS: dict[str, list[int]] = {"1": list(range(8)), "1/2": [1, 3, 5, 7], "1/4": [3, 7], "1/8": [7]}


def path_key(width: str) -> str:
    """ModuleDict key of a width: "1" -> "w1", "1/2" -> "w2", ..."""
    return "w" + (width.split("/")[1] if "/" in width else "1")


class StudentBlock(nn.Module):
    def __init__(self, widths: tuple[str, ...], ch: int = 128, hidden: int = 256, **binopts) -> None:
        super().__init__()
        self.mem = BinaryConv("depthwise", ch, ch, "channel", **binopts)
        self.mem_bn = nn.BatchNorm1d(ch)
        self.mem_act = nn.PReLU(ch)
        self.fc1 = BinaryConv("pointwise", ch, hidden, "frame", **binopts)
        self.fc1_bn = nn.BatchNorm1d(hidden)
        self.fc1_act = nn.PReLU(hidden)
        self.fc2 = BinaryConv("pointwise", hidden, ch, "frame", **binopts)
        self.fc2_bn = nn.ModuleDict({path_key(w): nn.BatchNorm1d(ch) for w in widths})
        self.fc2_act = nn.ModuleDict({path_key(w): nn.PReLU(ch) for w in widths})

    def hidden(self, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(m, h)``: the memory output with its residual, and fc1's output (fc2's input)."""
        m = grid.sat(binary_out(self.mem, p, self.mem_bn, self.mem_act) + p)
        return m, binary_out(self.fc1, m, self.fc1_bn, self.fc1_act)

    def forward(self, p: torch.Tensor, width: str) -> torch.Tensor:
        k = path_key(width)
        m, h = self.hidden(p)
        return grid.sat(binary_out(self.fc2, h, self.fc2_bn[k], self.fc2_act[k]) + m)


def binary_out(
    layer: BinaryConv, x: torch.Tensor, bn: nn.Module | None, act: nn.PReLU, exact: bool | None = None
) -> torch.Tensor:
    """``PReLU(BN(layer(x)))`` (or ``+ bias`` without BN) on the device grid; exact when BN is in eval."""
    acc, s_w = layer.accumulate(x)
    if exact is None:
        exact = not bn.training
    out = grid.requant(acc, s_w, layer.acc_bound, exact=exact, bn=bn, bias=layer.bias)
    return grid.prelu(out, act.weight)


class Int8Linear(nn.Linear):
    """Linear layer with int8 weights per output channel (STE): ``accumulate`` gives ``(x @ q.T, scale)``."""

    def accumulate(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        q, scale = int8_codes(self.weight)
        return nn.functional.linear(x, q), scale


class Int8Conv2d(nn.Conv2d):
    """Conv2d with int8 weights per output channel (STE): ``accumulate`` gives ``(conv(x, q), scale)``."""

    def accumulate(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        q, scale = int8_codes(self.weight)
        return self._conv_forward(x, q, None), scale


class BinaryFSMN(nn.Module):
    """Binary D-FSMN. ``act`` / ``lpb`` / ``weight_scale`` select BiFSMNv2 or a baseline (see binary.py).

    ``forward(F, paths)`` takes raw int16 features ``(B, 32 mel, 32 time)`` as float; the shared front
    (conv1, conv2, proj) runs once and each requested width runs its blocks. Returns
    ``{width: {"logits": (B, classes), "blocks": {block index: (B, 128, 8)}}}``.
    """

    kind = "student"

    def __init__(
        self,
        n_classes: int = 12,
        act: str = "dsa",
        lpb: bool = True,
        weight_scale: bool = True,
        widths: tuple[str, ...] = WIDTHS,
    ) -> None:
        super().__init__()
        self.widths = tuple(widths)
        self.binopts = {"act": act, "lpb": lpb, "weight_scale": weight_scale}
        self.norm = FeatureNorm()
        self.conv1 = Int8Conv2d(1, 16, 5, stride=2, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.prelu1 = nn.PReLU(16)
        self.conv2 = BinaryConv("conv2d", 16, 32, "sample", **self.binopts)
        self.bn2 = nn.BatchNorm2d(32)
        self.prelu2 = nn.PReLU(32)
        self.proj = BinaryConv("pointwise", 256, 128, "frame", bias=True, **self.binopts)
        self.prelu_proj = nn.PReLU(128)
        self.blocks = nn.ModuleList(
            StudentBlock(tuple(w for w in self.widths if i in PATH_BLOCKS[w]), **self.binopts)
            for i in range(8)
        )
        self.classifier = Int8Linear(1024, n_classes)

    def front(self, feats: torch.Tensor) -> torch.Tensor:
        # conv1 as the device runs it: acc = conv(F - feat_mean, q) on integers, then
        # M / 2^S = ONE * bn_scale * w_scale / feat_std (the normalisation folds into the multiplier)
        mean = self.norm.feat_mean.to(feats.dtype)
        acc, s1 = self.conv1.accumulate((feats - mean).unsqueeze(1))
        bound = s8_acc_bound(self.conv1.weight[0].numel(), 32768 + abs(int(round(float(mean)))))
        std = self.norm.feat_std.to(feats.dtype)
        h = grid.requant(acc, ONE * s1, bound, exact=not self.bn1.training, bn=self.bn1, div=std)
        h = grid.prelu(h, self.prelu1.weight)
        h = binary_out(self.conv2, h, self.bn2, self.prelu2)
        return binary_out(
            self.proj, h.reshape(h.shape[0], 256, h.shape[-1]), None, self.prelu_proj, exact=not self.training
        )

    def run_path(self, p: torch.Tensor, width: str) -> dict:
        blocks = {}
        for i in PATH_BLOCKS[width]:
            p = self.blocks[i](p, width)
            blocks[i] = p
        # classifier: int16 Q8 input (quant16), int8 weights; M / 2^S = 2^(Q_ACT - 8) * w_scale
        acc, sc = self.classifier.accumulate(quant16(p.flatten(1)) * 256.0)
        logits = grid.requant(
            acc,
            (ONE >> 8) * sc,
            s8_acc_bound(self.classifier.in_features, 32768),
            exact=not self.training,
            bias=self.classifier.bias,
        )
        return {"logits": logits, "blocks": blocks}

    def forward(self, feats: torch.Tensor, paths: tuple[str, ...] = ("1",)) -> dict:
        p = self.front(feats)
        return {w: self.run_path(p, w) for w in paths}
