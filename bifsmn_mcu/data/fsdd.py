"""Free Spoken Digit Dataset: ``{digit}_{speaker}_{index}.wav`` at 8 kHz, official split.

Index 0-4 of every digit/speaker is the test split, 5-49 the train split. Clips are resampled
to 16 kHz when loaded (``Clip.load``). Labels are the digit words (``FSDD_LABELS``).
"""

from __future__ import annotations

import re
from pathlib import Path

from .clip import Clip
from .errors import DataError
from .labels import FSDD_LABELS

_NAME = re.compile(r"^(\d)_([A-Za-z0-9]+)_(\d+)$")
FSDD_SPLITS = ("train", "test", "all")


def load_fsdd(root: str | Path, split: str = "train") -> list[Clip]:
    """FSDD clips of ``split`` (``train``: index >= 5, ``test``: index 0-4, ``all``).

    ``root`` is the FSDD folder or its ``recordings`` sub-folder.
    """
    if split not in FSDD_SPLITS:
        raise ValueError(f"split must be one of {FSDD_SPLITS}, got {split!r}")
    root = Path(root)
    rec = root / "recordings" if (root / "recordings").is_dir() else root
    if not rec.is_dir():
        raise DataError(f"{root}: no such folder")
    clips = []
    for f in sorted(rec.glob("*.wav")):
        m = _NAME.match(f.stem)
        if not m:
            continue
        digit, speaker, index = int(m[1]), m[2], int(m[3])
        if split == "all" or (split == "test") == (index < 5):
            clips.append(Clip(f, FSDD_LABELS[digit], speaker))
    if not clips:
        raise DataError(f"{rec}: no FSDD files named {{digit}}_{{speaker}}_{{index}}.wav")
    return clips
