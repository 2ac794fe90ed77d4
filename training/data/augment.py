"""Waveform augmentation in numpy (before the fixed-point front end).

Defaults follow the official recipe (notes/bifsmnv2.md): gain x U(0.7, 1.1) p 0.5, speed +-20 % p 0.5,
time shift +-0.1 s p 0.5, background noise p 0.4 scaled by U(0, 0.3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from bifsmn_mcu.data.augment import NoiseBank


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


def load_noise(folder: str | Path | None, sample_rate: int = 16000) -> list[np.ndarray]:
    """Every WAV in ``folder`` as float64 at ``sample_rate`` (empty list if ``folder`` is None/missing)."""
    if folder is None or not Path(folder).is_dir() or not any(Path(folder).glob("*.wav")):
        return []
    return [r.astype(np.float64) for r in NoiseBank.from_dir(folder, sample_rate).recordings]


@dataclass
class Augmenter:
    cfg: AugmentConfig = field(default_factory=AugmentConfig)
    noise: list[np.ndarray] = field(default_factory=list)
    sample_rate: int = 16000

    def __call__(self, pcm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        c = self.cfg
        n = len(pcm)
        x = pcm.astype(np.float64)
        if rng.random() < c.p_speed:
            f = 1.0 + rng.uniform(-c.speed, c.speed)  # > 1: faster (shorter)
            m = max(2, int(round(n / f)))
            y = np.interp(np.linspace(0, n - 1, m), np.arange(n), x)
            if m >= n:
                s = (m - n) // 2
                x = y[s : s + n]
            else:
                x = np.zeros(n)
                s = (n - m) // 2
                x[s : s + m] = y
        if rng.random() < c.p_shift:
            k = int(rng.integers(-int(c.shift_s * self.sample_rate), int(c.shift_s * self.sample_rate) + 1))
            x = np.roll(x, k)
            if k > 0:
                x[:k] = 0
            elif k < 0:
                x[k:] = 0
        if rng.random() < c.p_gain:
            x = x * rng.uniform(*c.gain)
        if self.noise and rng.random() < c.p_noise:
            src = self.noise[int(rng.integers(len(self.noise)))]
            start = int(rng.integers(0, max(1, len(src) - n)))
            seg = src[start : start + n]
            if len(seg) < n:
                seg = np.pad(seg, (0, n - len(seg)))
            x = x + seg * rng.uniform(0.0, c.noise_scale)
        return np.clip(np.rint(x), -32768, 32767).astype(np.int16)
