"""Waveform augmentation: shapes, dtype, determinism, and that each step does what it says."""

from __future__ import annotations

import numpy as np
import pytest

from bifsmn_mcu.data.augment import AugmentConfig, Augmenter, NoiseBank, speed, time_shift
from bifsmn_mcu.data.errors import DataError


def _burst(n: int = 16000) -> np.ndarray:
    x = np.zeros(n, dtype=np.int16)
    t = np.arange(4000)
    x[6000:10000] = (np.sin(2 * np.pi * 500 * t / 16000) * 8000).astype(np.int16)
    return x


def _bank(n: int = 40000) -> NoiseBank:
    g = np.random.default_rng(5)
    return NoiseBank([(g.standard_normal(n) * 3000).astype(np.int16)])


def _only(**on: float) -> AugmentConfig:
    """A recipe where only the named steps fire (probability 1)."""
    p = {"p_gain": 0.0, "p_speed": 0.0, "p_shift": 0.0, "p_noise": 0.0}
    p.update(on)
    return AugmentConfig(**p)


def test_time_shift_moves_without_wrap():
    x = _burst()
    nx = np.nonzero(x)[0]
    for k in (-1600, -3, 0, 5, 1600):
        y = time_shift(x, k)
        assert len(y) == len(x)
        np.testing.assert_array_equal(y[nx + k], x[nx])  # moved intact, nothing wrapped
        assert np.count_nonzero(y) == len(nx)


def test_speed_changes_pitch_and_keeps_length():
    x = _burst()
    for f in (0.8, 1.25):
        y = speed(x, f)
        assert len(y) == len(x)
        f_y = np.argmax(np.abs(np.fft.rfft(y))) * 16000 / len(y)
        assert abs(f_y - 500 * f) < 5  # 500 Hz played f times faster


def test_augmenter_shift_stays_within_the_configured_reach():
    a = Augmenter(_only(p_shift=1.0))
    x, nx = _burst(), np.nonzero(_burst())[0]
    rng = np.random.default_rng(1)
    shifts = set()
    for _ in range(30):
        y = a(x, rng)
        s = int(np.nonzero(y)[0][0] - nx[0])
        assert abs(s) <= 1600  # shift_s 0.1 at 16 kHz
        shifts.add(s)
    assert len(shifts) > 20


def test_augmenter_gain_range_and_int16_clipping():
    a = Augmenter(_only(p_gain=1.0))
    x = _burst()
    rng = np.random.default_rng(2)
    ratios = [np.abs(a(x, rng)).max() / np.abs(x).max() for _ in range(40)]
    assert 0.69 <= min(ratios) and max(ratios) <= 1.11 and max(ratios) - min(ratios) > 0.2
    loud = Augmenter(AugmentConfig(gain=(2.0, 2.0), p_gain=1.0, p_speed=0, p_shift=0, p_noise=0))
    y = loud(np.full(100, 30000, dtype=np.int16), rng)
    assert y.dtype == np.int16 and (y == 32767).all()


def test_augmenter_noise_is_added_at_most_at_the_configured_scale():
    bank = _bank()
    a = Augmenter(_only(p_noise=1.0), bank)
    x = _burst()
    rng = np.random.default_rng(3)
    peak = np.abs(bank.recordings[0]).max()
    added = [np.abs(a(x, rng).astype(float) - x).max() for _ in range(20)]
    assert all(v <= 0.3 * peak + 1 for v in added) and max(added) > 0.05 * peak
    silent = Augmenter(_only(p_noise=1.0))  # an empty bank never mixes
    np.testing.assert_array_equal(silent(x, rng), x)


def test_noise_segment_pads_a_short_recording():
    seg = _bank(1000).segment(np.random.default_rng(0), 16000)
    assert seg.shape == (16000,) and seg.dtype == np.float64
    assert seg[:999].any() and not seg[1000:].any()


def test_augmenter_is_seeded_and_varies():
    a = Augmenter(noise=_bank())
    X = np.stack([_burst()] * 8)
    y1, y2 = a.batch(X, np.random.default_rng(3)), a.batch(X, np.random.default_rng(3))
    np.testing.assert_array_equal(y1, y2)
    assert y1.dtype == np.int16 and y1.shape == X.shape
    assert len({row.tobytes() for row in y1}) > 4
    assert not np.array_equal(y1, a.batch(X, np.random.default_rng(4)))


def test_config_round_trips_through_a_dict():
    c = AugmentConfig(gain=(0.5, 1.5), p_noise=0.1)
    assert AugmentConfig.from_dict(c.to_dict()) == c
    assert AugmentConfig.from_dict(None) == AugmentConfig()


def test_noise_bank_optional_and_missing(tmp_path):
    assert len(NoiseBank.optional(None)) == 0 and len(NoiseBank.optional(tmp_path / "nope")) == 0
    with pytest.raises(DataError, match="no noise WAV"):
        NoiseBank.from_dir(tmp_path)


def test_noise_bank_from_shared_noise(shared_data):
    bank = NoiseBank.from_dir(shared_data / "noise")
    assert len(bank) == 6 and all(len(r) >= 16000 for r in bank.recordings)
