"""``../shared/data/speech_commands_v0.02_part``: 12 label folders, split by speaker."""

from __future__ import annotations

from pathlib import Path

from .clip import Clip
from .errors import DataError
from .folder import folder_labels, load_folder
from .labels import LABELS
from .split import split_by_speaker


def load_speech_part(root: str | Path) -> list[Clip]:
    """All clips of the 12-class tree (``_silence_`` files get per-file speaker ids)."""
    labels = folder_labels(root)
    if set(labels) != set(LABELS):
        missing = sorted(set(LABELS) - set(labels))
        extra = sorted(set(labels) - set(LABELS))
        raise DataError(f"{root}: not the 12-class tree (missing {missing}, unexpected {extra})")
    return load_folder(root)


def split_speech_part(clips: list[Clip], dev_fraction: float = 0.2) -> tuple[list[Clip], list[Clip]]:
    """Deterministic speaker-disjoint (train, dev) split; silence clips are split by file."""
    return split_by_speaker(clips, dev_fraction)
