"""The standard Speech Commands layout (v0.01 / v0.02), mapped to the 12-class task.

``ROOT/<word>/<speaker>_nohash_<n>.wav``, ``ROOT/validation_list.txt`` and
``ROOT/testing_list.txt`` (paths relative to ROOT), ``ROOT/_background_noise_/*.wav``.
Words outside the 10 keywords become ``_unknown_``; ``_silence_`` clips are 1 s segments cut
from the background-noise files at a seeded random offset and gain in [0, 1), their number a
fraction (10 %) of the split's word clips, as in the reference TensorFlow recipe.
"""

from __future__ import annotations

import hashlib
import math
import wave
from pathlib import Path

import numpy as np

from ..frontend import DEFAULT_FEATURES, FeatureConfig
from .clip import Clip
from .errors import DataError
from .folder import speaker_of
from .labels import SILENCE, UNKNOWN, task_label

SPLITS = ("train", "validation", "test")
NOISE_DIR = "_background_noise_"


def _read_list(path: Path) -> set[str]:
    if not path.is_file():
        raise DataError(f"{path.parent}: missing {path.name} (not the standard Speech Commands layout)")
    return {line.strip().replace("\\", "/") for line in path.read_text().splitlines() if line.strip()}


def noise_segments(
    noise_files: list[Path], n: int, seed: int, cfg: FeatureConfig = DEFAULT_FEATURES, label: str = SILENCE
) -> list[Clip]:
    """``n`` seeded 1 s segments from long noise recordings, gain uniform in [0, 1)."""
    if n <= 0:
        return []
    if not noise_files:
        raise DataError("no background-noise WAV files to cut silence from")
    rng = np.random.default_rng(seed)
    info = []
    for f in noise_files:
        with wave.open(str(f), "rb") as w:
            rate, frames = w.getframerate(), w.getnframes()
        seg = -(-cfg.clip_samples * rate // cfg.sample_rate)
        if frames >= seg:
            info.append((f, frames - seg))
    if not info:
        raise DataError("every background-noise file is shorter than one clip")
    out = []
    for i in range(n):
        f, last = info[int(rng.integers(len(info)))]
        offset, gain = int(rng.integers(last + 1)), float(rng.random())
        out.append(Clip(f, label, f"noise:{f.stem}:{i}", offset=offset, gain=gain))
    return out


def load_speech_commands(
    root: str | Path,
    split: str = "train",
    *,
    silence_fraction: float = 0.1,
    unknown_fraction: float | None = None,
    seed: int = 0,
    cfg: FeatureConfig = DEFAULT_FEATURES,
) -> list[Clip]:
    """Clips of one official split (``train``, ``validation`` or ``test``) as 12-class clips.

    ``silence_fraction``: silence clips per word clip of the split (0.1 = 10 %).
    ``unknown_fraction``: if given, keep a seeded subset of ``_unknown_`` clips of that size
    relative to the keyword clips (the TF recipe uses 0.1); ``None`` keeps all.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    val, test = _read_list(root / "validation_list.txt"), _read_list(root / "testing_list.txt")
    words = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))
    if not words:
        raise DataError(f"{root}: no word folders")
    clips = []
    for w in words:
        for f in sorted((root / w).glob("*.wav")):
            rel = f"{w}/{f.name}"
            which = "validation" if rel in val else "test" if rel in test else "train"
            if which == split:
                clips.append(Clip(f, task_label(w), speaker_of(f, w)))
    if not clips:
        raise DataError(f"{root}: no clips in the {split} split")
    seed_split = int(hashlib.sha1(f"{seed}:{split}".encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed_split)
    if unknown_fraction is not None:
        known = [c for c in clips if c.label != UNKNOWN]
        unknown = [c for c in clips if c.label == UNKNOWN]
        keep = min(len(unknown), math.ceil(unknown_fraction * len(known)))
        idx = sorted(rng.choice(len(unknown), size=keep, replace=False)) if keep else []
        clips = known + [unknown[i] for i in idx]
    noise_files = sorted((root / NOISE_DIR).glob("*.wav"))
    n_sil = math.ceil(silence_fraction * len(clips))
    if n_sil and not noise_files:
        raise DataError(f"{root}: no {NOISE_DIR}/*.wav to cut {SILENCE} clips from")
    return clips + noise_segments(noise_files, n_sil, seed_split + 1, cfg)
