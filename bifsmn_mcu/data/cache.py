"""Batch loading for training: clips -> int16 audio or features, optional .npy cache, 2 workers.

The cache file name is a sha256 of the front-end config and every clip's identity (path, size,
mtime, segment, gain), so a changed file list, file or config never reads a stale cache.
Workers are forked where the platform can (they only run numpy; no torch call happens in them),
else spawned.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..frontend import DEFAULT_FEATURES, FeatureConfig, features
from .clip import Clip

_CHUNK = 128


def cache_key(clips: Sequence[Clip], cfg: FeatureConfig, kind: str) -> str:
    h = hashlib.sha256(f"{kind}\n{cfg.to_json()}\n".encode())
    for c in clips:
        h.update(c.key().encode() + b"\n")
    return h.hexdigest()[:20]


def _work(args: tuple[list[Clip], FeatureConfig, str]) -> np.ndarray:
    chunk, cfg, kind = args
    pcm = np.stack([c.load(cfg) for c in chunk])
    return features(pcm, cfg) if kind == "features" else pcm


def _context() -> mp.context.BaseContext:
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _compute(
    clips: Sequence[Clip], cfg: FeatureConfig, kind: str, workers: int, progress: bool
) -> np.ndarray:
    chunks = [list(clips[i : i + _CHUNK]) for i in range(0, len(clips), _CHUNK)]
    jobs = [(c, cfg, kind) for c in chunks]
    bar = tqdm(total=len(clips), desc=kind, unit="clip", disable=not progress, leave=False)
    parts = []
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as ex:
            for chunk, part in zip(chunks, ex.map(_work, jobs), strict=True):
                parts.append(part)
                bar.update(len(chunk))
    else:
        for job in jobs:
            parts.append(_work(job))
            bar.update(len(job[0]))
    bar.close()
    shape = cfg.feature_shape if kind == "features" else (cfg.clip_samples,)
    return np.concatenate(parts) if parts else np.zeros((0, *shape), dtype=np.int16)


def _cached(
    clips: Sequence[Clip],
    cfg: FeatureConfig,
    kind: str,
    cache_dir: str | Path | None,
    workers: int,
    progress: bool,
) -> np.ndarray:
    if cache_dir is None:
        return _compute(clips, cfg, kind, workers, progress)
    path = Path(cache_dir) / f"{kind}-{cache_key(clips, cfg, kind)}.npy"
    if path.is_file():
        return np.load(path)
    out = _compute(clips, cfg, kind, workers, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, out)
    os.replace(tmp, path)
    return out


def features_for(
    clips: Sequence[Clip],
    cfg: FeatureConfig = DEFAULT_FEATURES,
    *,
    cache_dir: str | Path | None = None,
    workers: int = 1,
    progress: bool = True,
) -> np.ndarray:
    """int16 features ``(N, n_mels, n_frames)`` of the clips (bit-exact front-end reference)."""
    return _cached(clips, cfg, "features", cache_dir, workers, progress)


def audio_for(
    clips: Sequence[Clip],
    cfg: FeatureConfig = DEFAULT_FEATURES,
    *,
    cache_dir: str | Path | None = None,
    workers: int = 1,
    progress: bool = True,
) -> np.ndarray:
    """int16 samples ``(N, clip_samples)`` of the clips (for on-the-fly augmentation)."""
    return _cached(clips, cfg, "audio", cache_dir, workers, progress)


def label_indices(clips: Sequence[Clip], labels: Sequence[str]) -> np.ndarray:
    """int64 class index of every clip in ``labels`` order; unknown label names raise KeyError."""
    index = {name: i for i, name in enumerate(labels)}
    return np.array([index[c.label] for c in clips], dtype=np.int64)
