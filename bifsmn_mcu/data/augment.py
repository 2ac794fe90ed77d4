"""Waveform augmentation in numpy for 1 s int16 clips: time shift, gain, speed (tempo and
pitch together, by polyphase resampling), background-noise mixing. Every function takes a
``numpy.random.Generator`` so a seed reproduces an epoch; outputs are int16, clipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from ..audio import fit_length, read_wav, resample
from ..audio.clip import to_int16
from ..frontend import DEFAULT_FEATURES


def time_shift(x: np.ndarray, rng: np.random.Generator, max_shift: int = 1600) -> np.ndarray:
    """Shift by a uniform integer in [-max_shift, max_shift] samples, zero fill (no wrap-around)."""
    s = int(rng.integers(-max_shift, max_shift + 1))
    out = np.zeros_like(x)
    if s >= 0:
        out[s:] = x[: len(x) - s]
    else:
        out[:s] = x[-s:]
    return out


def gain(x: np.ndarray, rng: np.random.Generator, db: tuple[float, float] = (-8.0, 6.0)) -> np.ndarray:
    """Scale by a uniform gain in dB; clipped to int16."""
    return to_int16(x.astype(np.float64) * 10 ** (rng.uniform(*db) / 20))


def speed(x: np.ndarray, rng: np.random.Generator, factor: tuple[float, float] = (0.85, 1.15)) -> np.ndarray:
    """Play faster/slower by a uniform factor (pitch moves with it), back to the same length
    (zero pad at the end, or the loudest window when longer)."""
    f = float(rng.uniform(*factor))
    up, down = 100, max(1, int(round(100 * f)))
    if up == down:
        return x.copy()
    y = resample_poly(x.astype(np.float64), up, down)
    return fit_length(to_int16(y), len(x))


@dataclass
class NoiseBank:
    """Background-noise recordings (e.g. ``../shared/data/noise``), resampled to the clip rate."""

    recordings: list[np.ndarray] = field(default_factory=list)

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

    def segment(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """A random ``n``-sample float64 segment of a random recording (tiled if shorter)."""
        x = self.recordings[int(rng.integers(len(self.recordings)))]
        if len(x) < n:
            x = np.tile(x, -(-n // len(x)) + 1)
        start = int(rng.integers(len(x) - n + 1))
        return x[start : start + n].astype(np.float64)


def mix_noise(
    x: np.ndarray,
    rng: np.random.Generator,
    bank: NoiseBank,
    snr_db: tuple[float, float] = (3.0, 25.0),
    silence_gain: tuple[float, float] = (0.0, 0.5),
) -> np.ndarray:
    """Add background noise at a uniform SNR; on a (near-)silent clip, at a uniform gain instead."""
    n = bank.segment(rng, len(x))
    xf = x.astype(np.float64)
    rms_x, rms_n = np.sqrt(np.mean(xf**2)), np.sqrt(np.mean(n**2)) + 1e-9
    if rms_x < 30.0:
        scale = rng.uniform(*silence_gain)
    else:
        scale = rms_x / rms_n / 10 ** (rng.uniform(*snr_db) / 20)
    return to_int16(xf + n * scale)


@dataclass
class Augmenter:
    """The training recipe: each step applied with its probability, in the order
    speed -> shift -> gain -> noise. ``noise`` is None to skip noise mixing."""

    noise: NoiseBank | None = None
    p_speed: float = 0.5
    speed_range: tuple[float, float] = (0.85, 1.15)
    p_shift: float = 1.0
    max_shift: int = 1600
    p_gain: float = 0.8
    gain_db: tuple[float, float] = (-8.0, 6.0)
    p_noise: float = 0.8
    snr_db: tuple[float, float] = (3.0, 25.0)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        x = np.asarray(x, dtype=np.int16)
        if rng.random() < self.p_speed:
            x = speed(x, rng, self.speed_range)
        if rng.random() < self.p_shift:
            x = time_shift(x, rng, self.max_shift)
        if rng.random() < self.p_gain:
            x = gain(x, rng, self.gain_db)
        if self.noise is not None and rng.random() < self.p_noise:
            x = mix_noise(x, rng, self.noise, self.snr_db)
        return x

    def batch(self, pcm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Augment every row of an ``(N, samples)`` int16 array; returns a new int16 array."""
        return np.stack([self(row, rng) for row in pcm]) if len(pcm) else np.asarray(pcm, np.int16).copy()
