"""The labelled-clip record every loader returns, and how it turns into samples."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..audio import fit_length, load_clip, read_wav, resample
from ..audio.clip import to_int16
from ..frontend import DEFAULT_FEATURES, FeatureConfig


@dataclass(frozen=True)
class Clip:
    """One labelled utterance.

    ``path`` is a WAV file. For a segment cut from a long recording (``_silence_`` from
    background noise) ``offset`` is the first sample (at the file's own rate), the segment is
    one clip long, and ``gain`` scales it. ``speaker`` groups clips for speaker-disjoint
    splits (a unique per-file id when the speaker is unknown).
    """

    path: Path
    label: str
    speaker: str = ""
    offset: int | None = None
    gain: float = 1.0

    def load(self, cfg: FeatureConfig = DEFAULT_FEATURES) -> np.ndarray:
        """int16 samples, exactly ``cfg.clip_samples`` at ``cfg.sample_rate`` (resampled quietly)."""
        if self.offset is None:
            pcm = load_clip(self.path, cfg, notice=False)
        else:
            whole, rate = _read_cached(str(self.path))
            n = -(-cfg.clip_samples * rate // cfg.sample_rate)
            seg = resample(whole[self.offset : self.offset + n], rate, cfg.sample_rate)
            pcm = fit_length(seg, cfg.clip_samples)
        if self.gain != 1.0:
            pcm = to_int16(pcm.astype(np.float64) * self.gain)
        return pcm

    def key(self) -> str:
        """Identity for caches: path, size, mtime, segment and gain."""
        try:
            st = self.path.stat()
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "missing"
        return f"{self.path}|{stamp}|{self.offset}|{self.gain!r}"


@lru_cache(maxsize=16)
def _read_cached(path: str) -> tuple[np.ndarray, int]:
    return read_wav(path)


def class_counts(clips: list[Clip]) -> dict[str, int]:
    """Clips per label, in first-seen order."""
    out: dict[str, int] = {}
    for c in clips:
        out[c.label] = out.get(c.label, 0) + 1
    return out
