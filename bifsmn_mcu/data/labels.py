"""Label sets: the 12-class Speech Commands task (SPEC.md section 2) and the FSDD digits."""

from __future__ import annotations

from collections.abc import Sequence

UNKNOWN = "_unknown_"
SILENCE = "_silence_"

KEYWORDS: tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
LABELS: tuple[str, ...] = (UNKNOWN, SILENCE, *KEYWORDS)
"""The 12 classes in index order (SPEC.md section 2)."""

UNKNOWN_WORDS_V1: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow",
)  # fmt: skip
UNKNOWN_WORDS: tuple[str, ...] = (*UNKNOWN_WORDS_V1, "backward", "forward", "follow", "learn", "visual")
"""The 25 non-keyword words of Speech Commands v0.02 (v0.01 has the first 20)."""

ALL_WORDS: tuple[str, ...] = (*KEYWORDS, *UNKNOWN_WORDS)
"""All 35 words of Speech Commands v0.02."""

FSDD_LABELS: tuple[str, ...] = UNKNOWN_WORDS_V1[:10]
"""Free Spoken Digit Dataset classes; index = digit."""


def task_label(word: str) -> str:
    """Map a Speech Commands word (folder name) to its 12-class label."""
    if word == SILENCE or word == "_background_noise_":
        return SILENCE
    return word if word in KEYWORDS else UNKNOWN


def folder_label(folder: str, labels: Sequence[str]) -> str | None:
    """The class of a folder of clips for a model with ``labels``: the folder's own name when it is a
    class; for the 12-class task also a raw Speech Commands folder (``bed`` -> ``_unknown_``,
    ``_background_noise_`` -> ``_silence_``); else None (not a class of this model)."""
    if folder in labels:
        return folder
    if set(labels) == set(LABELS) and (folder in ALL_WORDS or folder == "_background_noise_"):
        return task_label(folder)
    return None


def label_order(names: set[str] | list[str] | tuple[str, ...]) -> list[str]:
    """Class order for a set of label names: SPEC order for the 12-class task, else
    ``_unknown_``/``_silence_`` first (when present) and the rest sorted."""
    names = set(names)
    if names == set(LABELS):
        return list(LABELS)
    if names == set(FSDD_LABELS):
        return list(FSDD_LABELS)
    head = [n for n in (UNKNOWN, SILENCE) if n in names]
    return head + sorted(names - set(head))
