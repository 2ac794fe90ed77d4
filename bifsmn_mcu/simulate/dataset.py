"""Inputs for simulation and verification: a labelled folder tree or loose WAV files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..frontend.config import FeatureConfig

SPEECH_PART = "speech_commands_v0.02_part"


class DatasetError(ValueError):
    """Unreadable inputs (missing folder, bad WAV, labels the model does not know)."""


@dataclass
class Inputs:
    pcm: np.ndarray  # (N, clip_samples) int16
    labels: np.ndarray | None  # (N,) class index into the model's labels, or None
    names: list[str]


def _subset(n: int, limit: int | None) -> np.ndarray:
    """Evenly spread indices (every class of a sorted tree is represented)."""
    if limit is None or limit >= n:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def load_data_dir(
    root: Path | str,
    model_labels: list[str],
    cfg: FeatureConfig,
    limit: int | None = None,
    progress: bool = True,
    split: str = "all",
) -> Inputs:
    """A folder-per-label tree (or the shared data root holding ``speech_commands_v0.02_part``).

    ``split``: ``all`` clips, or the ``train`` / ``dev`` side of the speaker-disjoint split that
    training uses (``bifsmn_mcu.data.split``, 20 % of the speakers in dev).
    """
    from ..audio.errors import AudioError
    from ..data.cache import audio_for
    from ..data.errors import DataError
    from ..data.folder import load_folder

    root = Path(root)
    if (root / SPEECH_PART).is_dir():
        root = root / SPEECH_PART
    if not root.is_dir():
        raise DatasetError(f"data folder {root} does not exist")
    try:
        clips = load_folder(root)
    except DataError as e:
        raise DatasetError(str(e)) from None
    if split != "all":
        from ..data.split import split_by_speaker

        train, dev = split_by_speaker(clips)
        clips = dev if split == "dev" else train
    unknown = sorted({c.label for c in clips} - set(model_labels))
    if unknown:
        raise DatasetError(f"{root}: labels {unknown} are not classes of the model ({model_labels})")
    clips = [clips[i] for i in _subset(len(clips), limit)]
    try:
        pcm = audio_for(clips, cfg, progress=progress)
    except (AudioError, DataError, OSError) as e:
        raise DatasetError(str(e)) from None
    index = {n: i for i, n in enumerate(model_labels)}
    y = np.array([index[c.label] for c in clips], dtype=np.int64)
    return Inputs(pcm, y, [str(c.path.relative_to(root)) for c in clips])


def load_wavs(files: list[Path | str], model_labels: list[str], cfg: FeatureConfig) -> Inputs:
    """Loose WAV files; a file whose parent folder is a class name counts as labelled by it."""
    from ..audio.clip import load_clip
    from ..audio.errors import AudioError

    pcm, labels = [], []
    index = {n: i for i, n in enumerate(model_labels)}
    for f in files:
        try:
            pcm.append(load_clip(f, cfg, notice=False))
        except (AudioError, OSError) as e:
            raise DatasetError(str(e)) from None
        labels.append(index.get(Path(f).parent.name, -1))
    y = np.array(labels, dtype=np.int64)
    return Inputs(np.stack(pcm).astype(np.int16), None if (y < 0).any() else y, [str(f) for f in files])
