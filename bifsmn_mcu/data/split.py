"""Deterministic speaker-disjoint train/dev split by a hash of the speaker id."""

from __future__ import annotations

import hashlib

from .clip import Clip


def speaker_bucket(speaker: str, salt: str = "bifsmn-mcu") -> float:
    """A stable number in [0, 1) for a speaker id (sha1, independent of Python's hash seed)."""
    h = hashlib.sha1(f"{salt}:{speaker}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0**64


def split_by_speaker(
    clips: list[Clip], dev_fraction: float = 0.2, salt: str = "bifsmn-mcu"
) -> tuple[list[Clip], list[Clip]]:
    """(train, dev): a speaker's clips all land on one side; the same input gives the same split.

    Clips whose speaker is unknown carry a per-file id, so they are split file by file.
    """
    if not 0.0 <= dev_fraction <= 1.0:
        raise ValueError(f"dev_fraction must be in [0, 1], got {dev_fraction}")
    train, dev = [], []
    for c in clips:
        (dev if speaker_bucket(c.speaker, salt) < dev_fraction else train).append(c)
    return train, dev
