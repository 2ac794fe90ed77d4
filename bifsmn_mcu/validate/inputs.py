"""Utterances to validate: a labelled folder (one sub-folder per label) or WAV files.

``--limit`` takes classes round-robin (sorted), so a small limit still covers every label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..data.labels import folder_label


class InputError(ValueError):
    """No usable input (missing folder, no WAV files)."""


@dataclass(frozen=True)
class Utterance:
    id: str  # stable key for JSONL / resume: path relative to the data folder
    path: Path
    label: int | None  # index into the model's labels, None when unknown


def _label_of(folder: str, labels: Sequence[str]) -> int | None:
    name = folder_label(folder, labels)
    return None if name is None else labels.index(name)


def from_folder(root: Path, labels: Sequence[str], limit: int | None = None) -> list[Utterance]:
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"data folder {root} does not exist")
    groups: dict[str, list[Path]] = {}
    for wav in sorted(root.rglob("*.wav")):
        rel = wav.relative_to(root)
        groups.setdefault(rel.parts[0] if len(rel.parts) > 1 else "", []).append(wav)
    if not groups:
        raise InputError(f"no .wav files under {root}")
    order: list[Utterance] = []
    queues = [list(v) for _k, v in sorted(groups.items())]
    names = [k for k, _v in sorted(groups.items())]
    while any(queues) and (limit is None or len(order) < limit):
        for name, q in zip(names, queues, strict=True):
            if q and (limit is None or len(order) < limit):
                wav = q.pop(0)
                order.append(Utterance(wav.relative_to(root).as_posix(), wav, _label_of(name, labels)))
    return order


def from_files(paths: Sequence[Path], labels: Sequence[str], limit: int | None = None) -> list[Utterance]:
    out = []
    for p in paths[:limit] if limit else paths:
        p = Path(p)
        if not p.is_file():
            raise InputError(f"WAV file {p} does not exist")
        out.append(Utterance(str(p), p, _label_of(p.parent.name, labels)))
    if not out:
        raise InputError("no WAV files given")
    return out
