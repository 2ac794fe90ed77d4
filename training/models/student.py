"""BiFSMNv2 student (and its baselines): binary D-FSMN with thinnable depth paths.

Deploy semantics in SPEC.md section 3. Widths are the strings ``"1", "1/2", "1/4", "1/8"``.
"""

from __future__ import annotations

import torch
from torch import nn

from .binary import BinaryConv
from .normalize import FeatureNorm
from .quant import fake_int8_per_channel, quant16

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

    def forward(self, p: torch.Tensor, width: str) -> torch.Tensor:
        k = path_key(width)
        m = self.mem_act(self.mem_bn(self.mem(p))) + p
        h = self.fc1_act(self.fc1_bn(self.fc1(m)))
        return self.fc2_act[k](self.fc2_bn[k](self.fc2(h))) + m


class Int8Linear(nn.Linear):
    """Linear layer whose weights are fake-quantised to int8 per output channel (STE)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w, _ = fake_int8_per_channel(self.weight)
        return nn.functional.linear(x, w, self.bias)


class Int8Conv2d(nn.Conv2d):
    """Conv2d whose weights are fake-quantised to int8 per output channel (STE)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w, _ = fake_int8_per_channel(self.weight)
        return self._conv_forward(x, w, self.bias)


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
        x = self.norm(feats).unsqueeze(1)
        h = self.prelu1(self.bn1(self.conv1(x)))
        h = self.prelu2(self.bn2(self.conv2(h)))
        return self.prelu_proj(self.proj(h.reshape(h.shape[0], 256, h.shape[-1])))

    def run_path(self, p: torch.Tensor, width: str) -> dict:
        blocks = {}
        for i in PATH_BLOCKS[width]:
            p = self.blocks[i](p, width)
            blocks[i] = p
        return {"logits": self.classifier(quant16(p.flatten(1))), "blocks": blocks}

    def forward(self, feats: torch.Tensor, paths: tuple[str, ...] = ("1",)) -> dict:
        p = self.front(feats)
        return {w: self.run_path(p, w) for w in paths}
