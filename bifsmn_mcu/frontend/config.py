"""FeatureConfig: the one description of the fixed-point log-mel front end.

The numpy reference (``reference.py``), the C front end (``firmware/frontend``) and
training all read this. Every field that changes an integer is here.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class FeatureConfig:
    """Fixed-point log-mel front end.

    Frame ``t`` covers samples ``[t*hop, t*hop + window)``; the window (periodic Hann,
    Q15) is zero-padded to ``n_fft``. The power spectrum of bin ``k`` is
    ``|2 X[k]|^2`` of the scaled input, shifted right by ``power_shift``; band
    energies are weighted sums with Q15 triangular mel weights, plus ``energy_floor``;
    the feature is ``round(2^log_frac_bits * log2(energy))`` as int16.
    """

    sample_rate: int = 16000
    clip_samples: int = 16000
    window: int = 480
    hop: int = 500
    n_fft: int = 512
    n_mels: int = 32
    n_frames: int = 32
    fmin: float = 20.0
    fmax: float = 8000.0
    input_shift: int = 4  # windowed sample = (pcm * win_q15) >> (15 - input_shift)
    power_shift: int = 16  # per-bin power >> power_shift before mel weighting
    energy_floor: int = 1 << 15  # added to every band energy (log of silence is finite)
    log_frac_bits: int = 8  # features are log2(energy) in Q8
    log_table_bits: int = 6  # log2 mantissa table: 2^6 + 1 entries, linear interpolation
    twiddle_frac_bits: int = 30  # FFT twiddles in Q30 (1.0 exact); products rounded by rshr(., 30)

    def __post_init__(self) -> None:
        if self.n_fft & (self.n_fft - 1) or self.n_fft < 16:
            raise ValueError(f"n_fft must be a power of two >= 16, got {self.n_fft}")
        if self.window > self.n_fft:
            raise ValueError("window must not exceed n_fft")
        if (self.n_frames - 1) * self.hop + self.window > self.clip_samples:
            raise ValueError("n_frames frames do not fit in clip_samples")
        if not 0 < self.fmin < self.fmax <= self.sample_rate / 2:
            raise ValueError("need 0 < fmin < fmax <= sample_rate / 2")

    # ---- derived integer tables (what the C code is generated from) ----
    @property
    def n_bins(self) -> int:
        return self.n_fft // 2 + 1

    @cached_property
    def window_q15(self) -> np.ndarray:
        """Periodic Hann window in Q15 (int values in [0, 32768])."""
        from scipy.signal import get_window

        w = get_window("hann", self.window, fftbins=True)
        return np.round(w * 32768.0).astype(np.int64)

    @cached_property
    def mel_weights_float(self) -> np.ndarray:
        """(n_mels, n_bins) triangular HTK-mel weights, peak 1."""

        def hz_to_mel(f):
            return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)

        def mel_to_hz(m):
            return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)

        edges = mel_to_hz(np.linspace(hz_to_mel(self.fmin), hz_to_mel(self.fmax), self.n_mels + 2))
        freqs = np.arange(self.n_bins) * self.sample_rate / self.n_fft
        w = np.zeros((self.n_mels, self.n_bins))
        for m in range(self.n_mels):
            lo, c, hi = edges[m], edges[m + 1], edges[m + 2]
            up = (freqs - lo) / (c - lo)
            down = (hi - freqs) / (hi - c)
            w[m] = np.maximum(0.0, np.minimum(up, down))
        return w

    @cached_property
    def mel_weights_q15(self) -> np.ndarray:
        """(n_mels, n_bins) int64 mel weights in Q15 (0..32768)."""
        q = np.round(self.mel_weights_float * 32768.0).astype(np.int64)
        if (q.sum(axis=1) == 0).any():
            raise ValueError("a mel band has no FFT bin; use fewer bands or a larger n_fft")
        return q

    @cached_property
    def mel_bands(self) -> list[tuple[int, np.ndarray]]:
        """Sparse form: per band (first bin, Q15 weights over its non-zero span)."""
        out = []
        for row in self.mel_weights_q15:
            nz = np.nonzero(row)[0]
            out.append((int(nz[0]), row[nz[0] : nz[-1] + 1].copy()))
        return out

    @cached_property
    def fft_twiddles(self) -> tuple[np.ndarray, np.ndarray]:
        """cos and sin of 2*pi*k/(n_fft/2), k < n_fft/4, in Q``twiddle_frac_bits`` (1.0 exact)."""
        n = self.n_fft // 2
        k = np.arange(n // 2)
        return self._qtw(np.cos(2 * np.pi * k / n)), self._qtw(np.sin(2 * np.pi * k / n))

    @cached_property
    def split_twiddles(self) -> tuple[np.ndarray, np.ndarray]:
        """cos and sin of 2*pi*k/n_fft for k <= n_fft/2 (the real-FFT split step), same Q."""
        k = np.arange(self.n_fft // 2 + 1)
        return self._qtw(np.cos(2 * np.pi * k / self.n_fft)), self._qtw(np.sin(2 * np.pi * k / self.n_fft))

    def _qtw(self, x: np.ndarray) -> np.ndarray:
        return np.round(np.asarray(x) * float(1 << self.twiddle_frac_bits)).astype(np.int64)

    @cached_property
    def log2_table_q16(self) -> np.ndarray:
        """round(2^16 * log2(1 + i / 2^log_table_bits)) for i = 0 .. 2^log_table_bits."""
        n = 1 << self.log_table_bits
        return np.round(np.log2(1.0 + np.arange(n + 1) / n) * 65536.0).astype(np.int64)

    @property
    def feature_shape(self) -> tuple[int, int]:
        """(n_mels, n_frames): features are stored band-major, frames along the last axis."""
        return (self.n_mels, self.n_frames)

    def feature_to_db(self, feats: np.ndarray) -> np.ndarray:
        """Integer features to dB of the (scaled) band energy."""
        return np.asarray(feats, dtype=np.float64) / (1 << self.log_frac_bits) * 10.0 * np.log10(2.0)

    # ---- serialisation ----
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> FeatureConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown FeatureConfig fields: {sorted(unknown)}")
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


DEFAULT_FEATURES = FeatureConfig()
