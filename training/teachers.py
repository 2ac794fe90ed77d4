"""The distillation teacher: one checkpoint, or several whose mean logits are the soft targets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from .checkpoint import load_model


class TeacherEnsemble(nn.Module):
    """``forward`` as a teacher's (``{"1": {"logits", "blocks"}}``): the block outputs (FID/HED
    targets) of the first teacher and the mean logits of all of them (logit MSE and soft-label KD)."""

    def __init__(self, first: nn.Module, others: Sequence[nn.Module]) -> None:
        super().__init__()
        self.first = first
        self.others = nn.ModuleList(others)

    def forward(self, feats: torch.Tensor, paths: tuple[str, ...] = ("1",)) -> dict:
        out = self.first(feats)["1"]
        logits = torch.stack([out["logits"], *(t(feats)["1"]["logits"] for t in self.others)]).mean(0)
        return {"1": {"logits": logits, "blocks": out["blocks"]}}


def load_frozen(path: str | Path, labels: Sequence[str]) -> tuple[nn.Module, dict]:
    """(model, checkpoint) of ``path`` in eval mode without gradients; refused unless it has ``labels``."""
    m, ck = load_model(path)
    if list(ck["labels"]) != list(labels):
        raise ValueError(f"teacher {path} has labels {ck['labels']}, data has {list(labels)}")
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m, ck


def load_teachers(
    first: str, others: Sequence[str], labels: Sequence[str]
) -> tuple[nn.Module, nn.Module, dict]:
    """(primary teacher, distillation teacher, primary checkpoint): the distillation teacher is the
    primary itself, or a ``TeacherEnsemble`` with ``others``; all frozen, in eval mode, same labels."""
    primary, ck = load_frozen(first, labels)
    if not others:
        return primary, primary, ck
    return primary, TeacherEnsemble(primary, [load_frozen(p, labels)[0] for p in others]).eval(), ck
