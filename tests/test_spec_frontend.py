"""The numpy front end (the spec) against exact float maths."""

from __future__ import annotations

import numpy as np
import pytest

from bifsmn_mcu.frontend import DEFAULT_FEATURES as CFG
from bifsmn_mcu.frontend import FeatureConfig, features, features_float
from bifsmn_mcu.frontend.reference import fft_fixed, ilog2


def test_ilog2_matches_float_log2_within_table_error():
    rng = np.random.default_rng(0)
    e = np.concatenate([rng.integers(1, 2**62, 5000), 2 ** np.arange(0, 62), 2 ** np.arange(1, 62) - 1])
    got = ilog2(e) / 256.0
    want = np.log2(e.astype(np.float64))
    assert np.abs(got - want).max() <= 1.0 / 256  # half an LSB of Q8 plus table error


def test_ilog2_is_exact_at_powers_of_two():
    n = np.arange(0, 62)
    assert (ilog2(np.left_shift(1, n)) == n * 256).all()


def test_fft_matches_numpy_fft():
    rng = np.random.default_rng(1)
    n = CFG.n_fft // 2
    re = rng.integers(-(2**19), 2**19, (4, n))
    im = rng.integers(-(2**19), 2**19, (4, n))
    gr, gi = fft_fixed(re, im, CFG)
    want = np.fft.fft(re + 1j * im, axis=-1)
    err = np.abs((gr + 1j * gi) - want)
    assert err.max() < 1e-4 * np.abs(want).max() + 64


def test_features_close_to_float_on_noise_and_tone():
    rng = np.random.default_rng(2)
    t = np.arange(CFG.clip_samples) / CFG.sample_rate
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    noise = rng.normal(0, 2000, CFG.clip_samples).astype(np.int16)
    # a pure tone leaves most bands near the energy floor, where integer rounding shows most
    mix = np.clip(tone + noise, -32768, 32767).astype(np.int16)
    for x, bound in ((tone, 1.0), (noise, 0.05), (mix, 0.2)):
        d = np.abs(CFG.feature_to_db(features(x)) - CFG.feature_to_db(features_float(x)))
        assert d.mean() < bound


def test_features_shape_dtype_and_silence_floor():
    f = features(np.zeros(CFG.clip_samples, np.int16))
    assert f.shape == (CFG.n_mels, CFG.n_frames) and f.dtype == np.int16
    assert (f == 15 * 256).all()  # log2(energy_floor = 2^15) in Q8


def test_full_scale_square_does_not_overflow():
    sq = np.where((np.arange(CFG.clip_samples) // 20) % 2 == 0, 32767, -32768).astype(np.int16)
    d = np.abs(CFG.feature_to_db(features(sq)) - CFG.feature_to_db(features_float(sq)))
    assert d.max() < 0.5


def test_bad_inputs():
    with pytest.raises(TypeError):
        features(np.zeros(CFG.clip_samples, np.float32))
    with pytest.raises(ValueError):
        features(np.zeros(100, np.int16))
    with pytest.raises(ValueError):
        FeatureConfig(n_fft=500)
