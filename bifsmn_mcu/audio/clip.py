"""Turn any accepted WAV into exactly one front-end clip (cfg.sample_rate, cfg.clip_samples)."""

from __future__ import annotations

import warnings
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from ..frontend import DEFAULT_FEATURES, FeatureConfig


class ResampleNotice(UserWarning):
    """A WAV had another sample rate and was resampled."""


def to_int16(x: np.ndarray) -> np.ndarray:
    """Round and clip float samples to int16."""
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def resample(pcm: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling (scipy.signal.resample_poly) of int16 audio; returns int16."""
    if rate_in == rate_out:
        return np.asarray(pcm, dtype=np.int16)
    g = gcd(int(rate_in), int(rate_out))
    y = resample_poly(np.asarray(pcm, dtype=np.float64), rate_out // g, rate_in // g)
    return to_int16(y)


def fit_length(pcm: np.ndarray, n: int) -> np.ndarray:
    """Exactly ``n`` samples: zero-pad at the end, or keep the loudest ``n``-sample window."""
    pcm = np.asarray(pcm)
    if len(pcm) == n:
        return pcm.copy()
    if len(pcm) < n:
        return np.concatenate([pcm, np.zeros(n - len(pcm), dtype=pcm.dtype)])
    e = np.concatenate([[0.0], np.cumsum(pcm.astype(np.float64) ** 2)])
    start = int(np.argmax(e[n:] - e[:-n]))
    return pcm[start : start + n].copy()


def load_clip(path: str | Path, cfg: FeatureConfig = DEFAULT_FEATURES, *, notice: bool = True) -> np.ndarray:
    """Read a WAV and return int16 of exactly ``cfg.clip_samples`` at ``cfg.sample_rate``.

    Another sample rate is resampled; with ``notice`` a :class:`ResampleNotice` warning says so.
    Raises :class:`~bifsmn_mcu.audio.AudioError` for unusable files.
    """
    from .wavio import read_wav

    pcm, rate = read_wav(path)
    if rate != cfg.sample_rate:
        if notice:
            warnings.warn(
                f"{path}: {rate} Hz resampled to {cfg.sample_rate} Hz", ResampleNotice, stacklevel=2
            )
        pcm = resample(pcm, rate, cfg.sample_rate)
    return fit_length(pcm, cfg.clip_samples)
