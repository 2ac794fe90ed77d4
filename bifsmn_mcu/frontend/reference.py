"""Fixed-point log-mel front end: the executable spec the C front end matches bit for bit.

Every step is integer arithmetic on int64 arrays, written so that each line maps to one
C statement (``firmware/frontend/``). Right shifts of negative values are arithmetic
(floor), as with gcc on every target we build for.

Pipeline per frame (see ``FeatureConfig``):
  1. ``xw[n] = rshr(pcm[n] * win[n], 15 - input_shift)``, zero-padded to ``n_fft``;
  2. ``z[n] = xw[2n] + j xw[2n+1]``; ``Z = FFT_{n_fft/2}(z)`` (radix-2 DIT, bit-reversed
     input, no scaling, twiddles in Q30 (1.0 exact), products ``rshr(., 30)`` in int64);
  3. split to ``2X[k]``, ``k = 0 .. n_fft/2``;
  4. ``P[k] = rshr(Re^2 + Im^2, power_shift)``;
  5. ``E[m] = sum_k P[k] * mel[m, k] + energy_floor``;
  6. ``F[m] = log2(E[m])`` in Q``log_frac_bits`` via CLZ and a linearly interpolated table.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .config import DEFAULT_FEATURES, FeatureConfig


def rshr(x: np.ndarray, n: int) -> np.ndarray:
    """Round-half-up arithmetic right shift: ``(x + 2^(n-1)) >> n``."""
    return (x + (1 << (n - 1))) >> n


@lru_cache(maxsize=8)
def _bitrev(n: int) -> np.ndarray:
    bits = n.bit_length() - 1
    idx = np.arange(n)
    rev = np.zeros(n, dtype=np.int64)
    for b in range(bits):
        rev |= ((idx >> b) & 1) << (bits - 1 - b)
    return rev


def fft_fixed(re: np.ndarray, im: np.ndarray, cfg: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """In-order complex FFT of size n_fft/2 over the last axis (int64 in, int64 out)."""
    n = cfg.n_fft // 2
    cos_t, sin_t = cfg.fft_twiddles
    tb = cfg.twiddle_frac_bits
    perm = _bitrev(n)
    re = re[..., perm].copy()
    im = im[..., perm].copy()
    lead = re.shape[:-1]
    length = 2
    while length <= n:
        half = length // 2
        k = np.arange(half) * (n // length)
        c, s = cos_t[k], sin_t[k]
        r = re.reshape(*lead, n // length, 2, half)
        i = im.reshape(*lead, n // length, 2, half)
        ar, ai = r[..., 0, :], i[..., 0, :]
        br, bi = r[..., 1, :], i[..., 1, :]
        tr = rshr(br * c + bi * s, tb)  # (br + j bi) * (c - j s)
        ti = rshr(bi * c - br * s, tb)
        re = np.stack([ar + tr, ar - tr], axis=-2).reshape(*lead, n)
        im = np.stack([ai + ti, ai - ti], axis=-2).reshape(*lead, n)
        length *= 2
    return re, im


def power_spectrum(frames: np.ndarray, cfg: FeatureConfig = DEFAULT_FEATURES) -> np.ndarray:
    """``(..., window)`` int16 PCM frames -> ``(..., n_bins)`` int64 shifted power."""
    x = np.asarray(frames, dtype=np.int64)
    xw = rshr(x * cfg.window_q15, 15 - cfg.input_shift)
    pad = np.zeros(x.shape[:-1] + (cfg.n_fft,), dtype=np.int64)
    pad[..., : cfg.window] = xw
    zr, zi = fft_fixed(pad[..., 0::2], pad[..., 1::2], cfg)
    n = cfg.n_fft // 2
    k = np.arange(n + 1)
    kk, mm = k % n, (n - k) % n
    er = zr[..., kk] + zr[..., mm]
    ei = zi[..., kk] - zi[..., mm]
    orr = zi[..., kk] + zi[..., mm]
    oi = zr[..., mm] - zr[..., kk]
    c, s = cfg.split_twiddles
    tb = cfg.twiddle_frac_bits
    xr = er + rshr(orr * c + oi * s, tb)
    xi = ei + rshr(oi * c - orr * s, tb)
    return rshr(xr * xr + xi * xi, cfg.power_shift)


def mel_energies(power: np.ndarray, cfg: FeatureConfig = DEFAULT_FEATURES) -> np.ndarray:
    """``(..., n_bins)`` -> ``(..., n_mels)`` int64 band energies (floor included)."""
    return power @ cfg.mel_weights_q15.T + cfg.energy_floor


def ilog2(e: np.ndarray, cfg: FeatureConfig = DEFAULT_FEATURES) -> np.ndarray:
    """Fixed-point log2 of positive int64 values, Q``log_frac_bits``."""
    e = np.asarray(e, dtype=np.int64)
    if (e <= 0).any():
        raise ValueError("ilog2 needs positive values")
    n = np.floor(np.log2(e.astype(np.float64))).astype(np.int64)
    n -= (np.left_shift(1, n) > e).astype(np.int64)  # exact bit length despite float rounding
    n += (np.left_shift(1, n + 1) <= e).astype(np.int64)
    mant = np.where(n >= 16, e >> np.maximum(n - 16, 0), e * np.left_shift(1, np.maximum(16 - n, 0)))
    f = mant - 65536
    sh = 16 - cfg.log_table_bits
    idx = f >> sh
    frac = f & ((1 << sh) - 1)
    t = cfg.log2_table_q16
    v = t[idx] + (((t[idx + 1] - t[idx]) * frac) >> sh)
    fb = cfg.log_frac_bits
    return n * (1 << fb) + rshr(v, 16 - fb)


def frame_signal(pcm: np.ndarray, cfg: FeatureConfig = DEFAULT_FEATURES) -> np.ndarray:
    """``(..., clip_samples)`` -> ``(..., n_frames, window)`` frames (views, no copy)."""
    x = np.asarray(pcm)
    if x.shape[-1] != cfg.clip_samples:
        raise ValueError(f"expected {cfg.clip_samples} samples, got {x.shape[-1]}")
    starts = np.arange(cfg.n_frames) * cfg.hop
    return x[..., starts[:, None] + np.arange(cfg.window)[None, :]]


def features(pcm: np.ndarray, cfg: FeatureConfig = DEFAULT_FEATURES) -> np.ndarray:
    """int16 PCM ``(..., clip_samples)`` -> int16 features ``(..., n_mels, n_frames)``."""
    pcm = np.asarray(pcm)
    if pcm.dtype != np.int16:
        raise TypeError(f"features() takes int16 PCM, got {pcm.dtype}")
    frames = frame_signal(pcm, cfg)
    logmel = ilog2(mel_energies(power_spectrum(frames, cfg), cfg), cfg)
    return np.swapaxes(logmel, -1, -2).astype(np.int16)


def features_float(pcm: np.ndarray, cfg: FeatureConfig = DEFAULT_FEATURES) -> np.ndarray:
    """The same log-mel in float64 (no rounding anywhere), in the units of ``features``."""
    x = np.asarray(pcm, dtype=np.float64)
    frames = frame_signal(x, cfg)
    win = cfg.window_q15 / 32768.0  # same window values, so only arithmetic differs
    spec = np.fft.rfft(frames * win * (1 << cfg.input_shift), n=cfg.n_fft, axis=-1)
    power = (4.0 * np.abs(spec) ** 2) / (1 << cfg.power_shift)
    energy = power @ cfg.mel_weights_float.T * 32768.0 + cfg.energy_floor
    return np.swapaxes(np.log2(energy) * (1 << cfg.log_frac_bits), -1, -2)
