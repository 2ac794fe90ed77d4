"""Folder-per-label trees: what ``--data DIR`` means across the CLI (DIR/<label>/*.wav)."""

from __future__ import annotations

from pathlib import Path

from .clip import Clip
from .errors import DataError
from .labels import label_order


def speaker_of(path: Path, label: str) -> str:
    """Speaker id from a Speech Commands style name ``[WORD_]SPEAKER_nohash_N.wav``;
    otherwise a per-file id (so such files are split one by one)."""
    stem = path.stem
    if "_nohash_" in stem:
        return stem.split("_nohash_")[0].split("_")[-1]
    return f"{label}/{stem}"


def label_dirs(root: str | Path) -> list[Path]:
    """Sub-folders of ``root`` that hold at least one .wav, in class order.

    Raises :class:`DataError` for a missing folder or one with no label sub-folders.
    """
    root = Path(root)
    if not root.exists():
        raise DataError(f"{root}: no such folder")
    if not root.is_dir():
        raise DataError(f"{root}: not a folder (expected DIR/<label>/*.wav)")
    dirs = {
        d.name: d
        for d in root.iterdir()
        if d.is_dir() and not d.name.startswith(".") and any(d.glob("*.wav"))
    }
    if not dirs:
        raise DataError(f"{root}: no label folders with WAV files (expected {root}/<label>/*.wav)")
    return [dirs[n] for n in label_order(dirs)]


def load_folder(root: str | Path) -> list[Clip]:
    """All WAVs of a folder-per-label tree, sorted by label order then file name."""
    clips = []
    for d in label_dirs(root):
        for f in sorted(d.glob("*.wav")):
            clips.append(Clip(f, d.name, speaker_of(f, d.name)))
    return clips


def folder_labels(root: str | Path) -> list[str]:
    """Label names of a folder-per-label tree in class order."""
    return [d.name for d in label_dirs(root)]
