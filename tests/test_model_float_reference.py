"""The float64 reference of a deploy dict (SPEC §3) against an independent numpy implementation."""

import numpy as np
import pytest

from bifsmn_mcu.model import WIDTHS
from bifsmn_mcu.model import float_reference as fr
from bifsmn_mcu.model.random_deploy import random_deploy_state, random_features


@pytest.mark.parametrize("width", WIDTHS)
def test_every_layer_is_on_the_grid_and_equals_the_integer_reference(width):
    """Device-grid semantics: each activation is an int32 value / ONE, the integer reference's own."""
    from bifsmn_mcu.model import intref
    from bifsmn_mcu.model.fold import ONE, fold

    d = random_deploy_state(51)
    f = random_features(52, 6)
    ours = fr.run_layers(d, f, width)
    ints = intref.run_layers(fold(d), f, width)
    assert list(ours) == list(ints)
    for name, v in ours.items():
        np.testing.assert_array_equal(v.reshape(ints[name].shape) * ONE, ints[name], err_msg=name)


def test_rounding_rules_of_the_grid():
    """Outputs round half up (rshr), stored constants half away from zero (to_fixed), s2 = rounded mean."""
    from bifsmn_mcu.model.fold import ONE

    h = 0.5 / ONE
    assert fr.grid(np.array([h, -h, 3 * h, -3 * h])).tolist() == [1 / ONE, 0.0, 2 / ONE, -1 / ONE]
    assert fr.fixed(np.array([h, -h]), 16).tolist() == [1 / ONE, -1 / ONE]
    assert fr.fixed(np.array([-1.5 / 32768]), 15).tolist() == [-2 / 32768]
    # |r| = 1 - x - t2 with x = 0 (b1 = +1): per frame over 2 channels; sums 3 and 5 units: 2 and 3 (half up)
    x = np.zeros((1, 2, 2))
    t2 = np.array([-1.0, -1.0]) + np.array([1, 2]) / ONE
    _, _, s2 = fr.dsa(x, np.zeros(2), t2, (1,))
    assert (s2 * ONE).ravel().tolist() == [2.0, 2.0]
    t2 = np.array([-1.0, -1.0]) + np.array([2, 3]) / ONE
    _, _, s2 = fr.dsa(x, np.zeros(2), t2, (1,))
    assert (s2 * ONE).ravel().tolist() == [3.0, 3.0]
    # PReLU: slope in Q15, product rounded half up onto the Q16 grid
    y = fr.prelu(np.array([[-3.0 / ONE, 2.0]]), np.array([0.5, 0.5]), axis=1)
    assert y.tolist() == [[-1.0 / ONE, 2.0]]  # -1.5 units -> -1 (half up)


def test_single_clip_and_batch_agree():
    d = random_deploy_state(53)
    f = random_features(54, 3)
    batch = fr.forward(d, f, "1/8")
    assert np.allclose(fr.forward(d, f[1], "1/8"), batch[1])


def test_dsa_sign_of_zero_is_plus_one_and_padding_contributes_nothing():
    x = np.zeros((1, 2, 3))
    b1, b2, s2 = fr.dsa(x, np.zeros(2), np.array([0.0, -1.0]), (1,))
    assert (b1 == 1).all()  # x - t1 = 0 -> +1
    # r = x - b1 - t2 = -1 - t2: channel 0 -> -1 (sign -1), channel 1 -> 0 (sign +1)
    assert (b2[0, 0] == -1).all() and (b2[0, 1] == 1).all()
    w = np.ones((1, 5))
    out = fr.dwconv1d(np.ones((1, 1, 8)), w, 2)
    assert out[0, 0].tolist() == [3, 4, 5, 5, 5, 5, 4, 3]


def test_unknown_width_is_refused():
    with pytest.raises(ValueError, match="width"):
        fr.forward(random_deploy_state(55), random_features(1, 1), "3/4")


def test_layer_drift_localises_errors():
    from bifsmn_mcu.model.drift import format_drift, layer_drift
    from bifsmn_mcu.model.fold import fold

    d = random_deploy_state(56)
    rows = layer_drift(d, fold(d), random_features(57, 8), "1/8")
    names = [r["layer"] for r in rows]
    assert names == [
        "conv1",
        "conv2",
        "proj",
        "block7.mem",
        "block7.fc1",
        "block7.fc2",
        "classifier",
        "top-1 agreement",
    ]
    for r in rows[:-1]:  # on the device grid the float reference is the integer one: no drift at all
        assert r["accumulated"] == 0.0 and r.get("local", 0.0) == 0.0, r
        assert r.get("flip1", 0.0) == 0.0 and r.get("flip2", 0.0) == 0.0, r
    assert rows[-1]["accumulated"] == 1.0
    assert "top-1 agreement" in format_drift(rows)
