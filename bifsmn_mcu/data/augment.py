"""Waveform augmentation in numpy for 1 s clips (before the fixed-point front end), the one recipe
training uses. Defaults follow the official BiFSMN recipe (notes/bifsmnv2.md): speed +-20 % p 0.5
(tempo and pitch together), time shift +-0.1 s p 0.5 (zero fill, no wrap-around), gain x U(0.7, 1.1)
p 0.5, background noise p 0.4 scaled by U(0, 0.3), in that order. Every step draws from the
``numpy.random.Generator`` it is given, so a seed reproduces an epoch; outputs are int16, clipped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..audio import read_wav, resample
from ..audio.clip import to_int16
from ..frontend import DEFAULT_FEATURES


@dataclass(frozen=True)
class AugmentConfig:
    gain: tuple[float, float] = (0.7, 1.1)
    p_gain: float = 0.5
    speed: float = 0.2
    p_speed: float = 0.5
    shift_s: float = 0.1
    p_shift: float = 0.5
    noise_scale: float = 0.3
    p_noise: float = 0.4

    @classmethod
    def from_dict(cls, d: dict | None) -> AugmentConfig:
        d = dict(d or {})
        if "gain" in d:
            d["gain"] = tuple(d["gain"])
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class NoiseBank:
    """Background-noise recordings (e.g. ``../shared/data/noise``), resampled to the clip rate."""

    recordings: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.recordings)

    @classmethod
    def from_dir(cls, folder: str | Path, sample_rate: int = DEFAULT_FEATURES.sample_rate) -> NoiseBank:
        from .errors import DataError

        files = sorted(Path(folder).glob("*.wav"))
        if not files:
            raise DataError(f"{folder}: no noise WAV files")
        recs = []
        for f in files:
            x, rate = read_wav(f)
            recs.append(resample(x, rate, sample_rate))
        return cls(recs)

    @classmethod
    def optional(
        cls, folder: str | Path | None, sample_rate: int = DEFAULT_FEATURES.sample_rate
    ) -> NoiseBank:
        """The bank of ``folder``, or an empty bank when ``folder`` is None or holds no WAV file."""
        if folder is None or not Path(folder).is_dir() or not any(Path(folder).glob("*.wav")):
            return cls()
        return cls.from_dir(folder, sample_rate)

    def segment(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` float64 samples from a random offset of a random recording (zero padded if shorter)."""
        src = self.recordings[int(rng.integers(len(self.recordings)))]
        start = int(rng.integers(0, max(1, len(src) - n)))
        seg = src[start : start + n].astype(np.float64)
        return np.pad(seg, (0, n - len(seg))) if len(seg) < n else seg


def speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Play ``factor`` times faster (> 1: shorter; pitch moves with it), linear interpolation, then
    centre-crop or centre-pad with zeros back to ``len(x)``; float64."""
    n = len(x)
    m = max(2, int(round(n / factor)))
    y = np.interp(np.linspace(0, n - 1, m), np.arange(n), x.astype(np.float64))
    if m >= n:
        s = (m - n) // 2
        return y[s : s + n]
    out = np.zeros(n)
    s = (n - m) // 2
    out[s : s + m] = y
    return out


def time_shift(x: np.ndarray, k: int) -> np.ndarray:
    """Shift by ``k`` samples (positive: later), zero fill, no wrap-around; float64."""
    y = np.roll(x.astype(np.float64), k)
    if k > 0:
        y[:k] = 0
    elif k < 0:
        y[k:] = 0
    return y


@dataclass
class Augmenter:
    """The training recipe of ``cfg``; ``noise`` empty to skip noise mixing."""

    cfg: AugmentConfig = field(default_factory=AugmentConfig)
    noise: NoiseBank = field(default_factory=NoiseBank)
    sample_rate: int = DEFAULT_FEATURES.sample_rate

    def __call__(self, pcm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        c = self.cfg
        n = len(pcm)
        x = pcm.astype(np.float64)
        if rng.random() < c.p_speed:
            x = speed(x, 1.0 + rng.uniform(-c.speed, c.speed))
        if rng.random() < c.p_shift:
            reach = int(c.shift_s * self.sample_rate)
            x = time_shift(x, int(rng.integers(-reach, reach + 1)))
        if rng.random() < c.p_gain:
            x = x * rng.uniform(*c.gain)
        if len(self.noise) and rng.random() < c.p_noise:
            x = x + self.noise.segment(rng, n) * rng.uniform(0.0, c.noise_scale)
        return to_int16(x)

    def batch(self, pcm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Augment every row of an ``(N, samples)`` int16 array; returns a new int16 array."""
        return np.stack([self(row, rng) for row in pcm]) if len(pcm) else np.asarray(pcm, np.int16).copy()
