"""Batch-time feature masking: one time mask and one frequency mask per clip (SpecAugment-lite)."""

from __future__ import annotations

import numpy as np


def mask_batch(
    feats: np.ndarray, fill: int, rng: np.random.Generator, max_t: int = 4, max_f: int = 4, p: float = 0.5
) -> np.ndarray:
    """Copy of int16 ``(B, mel, time)`` features; each clip, with probability ``p``, gets a band of up
    to ``max_f`` mel rows and a span of up to ``max_t`` frames set to ``fill`` (the feature mean)."""
    out = feats.copy()
    b, nm, nt = out.shape
    for i in np.flatnonzero(rng.random(b) < p):
        w = int(rng.integers(0, max_f + 1))
        s = int(rng.integers(0, nm - w + 1))
        out[i, s : s + w, :] = fill
        w = int(rng.integers(0, max_t + 1))
        s = int(rng.integers(0, nt - w + 1))
        out[i, :, s : s + w] = fill
    return out
