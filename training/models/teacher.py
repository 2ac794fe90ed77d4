"""Full-precision D-FSMN teacher (topology of the official BiFSMN code, ReLU, dropout 0.2)."""

from __future__ import annotations

import torch
from torch import nn

from .normalize import FeatureNorm


class TeacherBlock(nn.Module):
    def __init__(self, ch: int = 128, hidden: int = 256, dropout: float = 0.2) -> None:
        super().__init__()
        self.mem = nn.Conv1d(ch, ch, 5, padding=2, groups=ch, bias=False)
        self.mem_bn = nn.BatchNorm1d(ch)
        self.fc1 = nn.Conv1d(ch, hidden, 1, bias=False)
        self.fc1_bn = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Conv1d(hidden, ch, 1, bias=False)
        self.fc2_bn = nn.BatchNorm1d(ch)
        self.drop = nn.Dropout(dropout)

    def forward(self, p: torch.Tensor) -> torch.Tensor:
        m = torch.relu(self.mem_bn(self.mem(p))) + p
        h = self.drop(torch.relu(self.fc1_bn(self.fc1(m))))
        return torch.relu(self.fc2_bn(self.fc2(h))) + m


class DFSMNTeacher(nn.Module):
    """conv 1->16 5x5/2, conv 16->32 5x5/2, proj 256->128, 8 D-FSMN blocks, classifier 1024->classes.

    ``forward(F, paths)`` takes raw int16 features ``(B, 32 mel, 32 time)`` as float and returns
    ``{"1": {"logits": (B, classes), "blocks": {i: (B, 128, 8)}}}`` (the teacher has one path).
    """

    kind = "teacher"

    def __init__(self, n_classes: int = 12, dropout: float = 0.2, n_blocks: int = 8) -> None:
        super().__init__()
        self.norm = FeatureNorm()
        self.conv1 = nn.Conv2d(1, 16, 5, stride=2, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 5, stride=2, padding=2, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.proj = nn.Conv1d(256, 128, 1)
        self.blocks = nn.ModuleList(TeacherBlock(dropout=dropout) for _ in range(n_blocks))
        self.drop = nn.Dropout(dropout)
        self.classifier = nn.Linear(1024, n_classes)

    def forward(self, feats: torch.Tensor, paths: tuple[str, ...] = ("1",)) -> dict:
        x = self.norm(feats).unsqueeze(1)
        h = torch.relu(self.bn1(self.conv1(x)))
        h = torch.relu(self.bn2(self.conv2(h)))
        p = torch.relu(self.proj(h.reshape(h.shape[0], 256, h.shape[-1])))
        blocks = {}
        for i, blk in enumerate(self.blocks):
            p = blk(p)
            blocks[i] = p
        logits = self.classifier(self.drop(p.flatten(1)))
        return {"1": {"logits": logits, "blocks": blocks}}
