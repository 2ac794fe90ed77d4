"""Python twin of tests/fakes/fakekws/fakekws.c (the fake model used by the app-only tests)."""

from __future__ import annotations

import numpy as np


def features(pcm: np.ndarray) -> np.ndarray:
    x = np.abs(np.asarray(pcm, dtype=np.int64))
    acc = np.zeros((32, 32), dtype=np.int64)
    for t in range(32):
        for off in range(480):
            acc[off % 32, t] += x[500 * t + off]
    return np.minimum(acc >> 4, 32767).astype(np.int16)


WIDTHS = ("1/2", "1/8")  # the fake's thin paths; the first runs after boot


def logits(feats: np.ndarray, width: str = "1/2") -> list[int]:
    f = np.asarray(feats, dtype=np.int64).reshape(-1)
    i = np.arange(f.size)
    path = WIDTHS.index(width)
    return [int(np.sum(f * (((i * 7 + k * 13) % 5) - 2))) + path * (k + 1) for k in range(12)]
