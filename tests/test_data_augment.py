"""Waveform augmentation: shapes, dtype, determinism, and that each step does what it says."""

from __future__ import annotations

import numpy as np

from bifsmn_mcu.data.augment import Augmenter, NoiseBank, gain, mix_noise, speed, time_shift


def _burst(n: int = 16000) -> np.ndarray:
    x = np.zeros(n, dtype=np.int16)
    t = np.arange(4000)
    x[6000:10000] = (np.sin(2 * np.pi * 500 * t / 16000) * 8000).astype(np.int16)
    return x


def _bank() -> NoiseBank:
    g = np.random.default_rng(5)
    return NoiseBank([(g.standard_normal(40000) * 3000).astype(np.int16)])


def test_time_shift_moves_without_wrap():
    x = _burst()
    nx = np.nonzero(x)[0]
    rng = np.random.default_rng(1)
    shifts = set()
    for _ in range(20):
        y = time_shift(x, rng, 1600)
        assert y.dtype == np.int16 and len(y) == len(x)
        s = np.nonzero(y)[0][0] - nx[0]
        assert abs(s) <= 1600
        np.testing.assert_array_equal(y[nx + s], x[nx])  # moved intact, nothing wrapped
        assert np.count_nonzero(y) == len(nx)
        shifts.add(s)
    assert len(shifts) > 10


def test_gain_clips_to_int16():
    x = np.full(100, 30000, dtype=np.int16)
    y = gain(x, np.random.default_rng(0), (6.0, 6.0))
    assert y.dtype == np.int16 and (y == 32767).all()
    assert (gain(x, np.random.default_rng(0), (-6.0, -6.0)) == np.int16(round(30000 * 10 ** (-0.3)))).all()


def test_speed_changes_pitch_and_keeps_length():
    x = _burst()
    y = speed(x, np.random.default_rng(0), (1.25, 1.25))
    assert len(y) == len(x) and y.dtype == np.int16
    f_y = np.argmax(np.abs(np.fft.rfft(y.astype(float)))) * 16000 / len(y)
    assert abs(f_y - 625) < 5  # 500 Hz played 1.25x faster


def test_mix_noise_hits_requested_snr():
    x = _burst()
    y = mix_noise(x, np.random.default_rng(0), _bank(), snr_db=(10.0, 10.0))
    noise = y.astype(float) - x
    sig = np.sqrt(np.mean(x.astype(float) ** 2))
    assert abs(20 * np.log10(sig / np.sqrt(np.mean(noise**2))) - 10.0) < 0.5
    silent = mix_noise(np.zeros(16000, np.int16), np.random.default_rng(0), _bank())
    assert silent.any()


def test_augmenter_is_seeded_and_varies():
    a = Augmenter(_bank())
    X = np.stack([_burst()] * 8)
    y1, y2 = a.batch(X, np.random.default_rng(3)), a.batch(X, np.random.default_rng(3))
    np.testing.assert_array_equal(y1, y2)
    assert y1.dtype == np.int16 and y1.shape == X.shape
    assert len({row.tobytes() for row in y1}) == 8
    assert not np.array_equal(y1, a.batch(X, np.random.default_rng(4)))


def test_noise_bank_from_shared_noise(shared_data):
    bank = NoiseBank.from_dir(shared_data / "noise")
    assert len(bank.recordings) == 6 and all(len(r) >= 16000 for r in bank.recordings)
