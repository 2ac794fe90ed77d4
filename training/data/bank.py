"""Feature sets for training: the clean features plus K augmented copies per training clip, cached.

The front end costs ~2.6 ms per clip, so augmentation is precomputed once: for every training clip
``K`` augmented waveforms go through the bit-exact front end and are stored (int16, ``(N, K+1, 32, 32)``,
copy 0 clean) as one .npy in the cache folder, keyed by a sha256 of the clips, the augmentation, K,
the seed and the front-end config. Each epoch samples one copy per clip.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bifsmn_mcu.data import (
    FSDD_LABELS,
    Clip,
    features_for,
    label_indices,
    load_folder,
    load_fsdd,
    split_by_speaker,
)
from bifsmn_mcu.data.augment import AugmentConfig, Augmenter, NoiseBank
from bifsmn_mcu.data.folder import folder_labels
from bifsmn_mcu.frontend import DEFAULT_FEATURES, FeatureConfig, features

_CHUNK = 64
_AUG: Augmenter | None = None  # set in the parent before forking workers


@dataclass
class FeatureSet:
    feats: np.ndarray  # int16 (N, copies, mel, time); copy 0 is clean
    labels: np.ndarray  # int64 (N,)

    def __len__(self) -> int:
        return len(self.labels)


def _aug_work(args: tuple[list[Clip], list[int], int, int, FeatureConfig]) -> np.ndarray:
    clips, idx, copies, seed, cfg = args
    out = np.empty((len(clips), copies + 1, *cfg.feature_shape), dtype=np.int16)
    for j, (clip, i) in enumerate(zip(clips, idx, strict=True)):
        pcm = clip.load(cfg)
        batch = [pcm] + [_AUG(pcm, np.random.default_rng([seed, i, k])) for k in range(copies)]
        out[j] = features(np.stack(batch), cfg)
    return out


def augmented_features(
    clips: list[Clip],
    augmenter: Augmenter,
    copies: int,
    seed: int,
    cfg: FeatureConfig = DEFAULT_FEATURES,
    cache_dir: str | Path | None = None,
    workers: int = 2,
    progress: bool = True,
) -> np.ndarray:
    """int16 ``(N, copies + 1, mel, time)``: clean features and ``copies`` augmented ones per clip."""
    global _AUG
    h = hashlib.sha256(
        json.dumps([augmenter.cfg.to_dict(), len(augmenter.noise), copies, seed, cfg.to_json()]).encode()
    )
    for c in clips:
        h.update(c.key().encode() + b"\n")
    path = Path(cache_dir) / f"augbank-{h.hexdigest()[:20]}.npy" if cache_dir else None
    if path is not None and path.is_file():
        return np.load(path)
    _AUG = augmenter
    jobs = [
        (clips[i : i + _CHUNK], list(range(i, min(i + _CHUNK, len(clips)))), copies, seed, cfg)
        for i in range(0, len(clips), _CHUNK)
    ]
    bar = tqdm(total=len(clips), desc=f"augment x{copies}", unit="clip", disable=not progress, leave=False)
    parts = []
    if workers > 1 and len(jobs) > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as ex:
            for job, part in zip(jobs, ex.map(_aug_work, jobs), strict=True):
                parts.append(part)
                bar.update(len(job[0]))
    else:
        for job in jobs:
            parts.append(_aug_work(job))
            bar.update(len(job[0]))
    bar.close()
    out = np.concatenate(parts) if parts else np.zeros((0, copies + 1, *cfg.feature_shape), np.int16)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, out)
        os.replace(tmp, path)
    return out


def _extra_clips(folders: list[str], labels: list[str]) -> list[Clip]:
    """Clips of extra folder trees (the synthetic corpus) whose label is one of ``labels``."""
    out: list[Clip] = []
    for folder in folders:
        if Path(folder).is_dir():
            out += [c for c in load_folder(folder) if c.label in labels]
        else:
            import warnings

            warnings.warn(f"extra training folder {folder} does not exist; skipped", stacklevel=2)
    return out


def load_clips(data: dict) -> tuple[list[str], list[list[Clip]], list[Clip]]:
    """(labels, train clip groups, dev clips) of a config's ``data`` section.

    Group 0 is the source's train split, then one group per ``extra_train`` folder (cached apart,
    so adding the synthetic corpus does not recompute the real clips)."""
    source = data.get("source", "folder")
    root = data["root"]
    if source == "fsdd":
        train, dev = load_fsdd(root, "train"), load_fsdd(root, "test")
        labels = [n for n in FSDD_LABELS if n in {c.label for c in train}]
    elif source == "folder":
        labels = folder_labels(root)
        train, dev = split_by_speaker(load_folder(root), float(data.get("dev_fraction", 0.2)))
    else:
        raise ValueError(f"unknown data source {source!r} (expected 'folder' or 'fsdd')")
    groups = [train] + [g for g in (_extra_clips([f], labels) for f in data.get("extra_train", [])) if g]
    limit = data.get("max_clips")
    if limit:  # small runs (tests): an even spread over the list
        groups = [g[:: max(1, len(g) // int(limit))][: int(limit)] for g in groups]
        dev = dev[:: max(1, len(dev) // int(limit))][: int(limit)]
    return labels, groups, dev


def build_featuresets(
    data: dict, cfg: FeatureConfig = DEFAULT_FEATURES, progress: bool = True, workers: int = 2
) -> tuple[list[str], FeatureSet, FeatureSet]:
    """(labels, train set with K augmented copies, dev set with the clean copy only)."""
    labels, groups, dev = load_clips(data)
    cache = data.get("cache")
    noise = NoiseBank.optional(data.get("noise"), cfg.sample_rate)
    aug = Augmenter(AugmentConfig.from_dict(data.get("augment")), noise, cfg.sample_rate)
    k, seed = int(data.get("copies", 8)), int(data.get("seed", 0))
    tr = np.concatenate([augmented_features(g, aug, k, seed, cfg, cache, workers, progress) for g in groups])
    ytr = np.concatenate([label_indices(g, labels) for g in groups])
    dv = features_for(dev, cfg, cache_dir=cache, workers=workers, progress=progress)[:, None]
    return labels, FeatureSet(tr, ytr), FeatureSet(dv, label_indices(dev, labels))
