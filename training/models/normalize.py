"""Input normalisation ``(F - feat_mean) / feat_std`` with an integer ``feat_mean`` (SPEC section 3)."""

from __future__ import annotations

import torch
from torch import nn


class FeatureNorm(nn.Module):
    def __init__(self, feat_mean: int = 0, feat_std: float = 1.0) -> None:
        super().__init__()
        self.register_buffer("feat_mean", torch.tensor(float(int(feat_mean)), dtype=torch.float64))
        self.register_buffer("feat_std", torch.tensor(float(feat_std), dtype=torch.float64))

    def set(self, feat_mean: int, feat_std: float) -> None:
        self.feat_mean.fill_(float(int(feat_mean)))
        self.feat_std.fill_(float(feat_std))

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        return (feats - self.feat_mean.to(feats.dtype)) / self.feat_std.to(feats.dtype)
