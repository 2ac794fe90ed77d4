"""The float64 reference of a deploy dict (SPEC §3) against an independent numpy implementation."""

import numpy as np
import pytest

from bifsmn_mcu.model import WIDTHS
from bifsmn_mcu.model import float_reference as fr
from bifsmn_mcu.model.random_deploy import random_deploy_state, random_features


@pytest.mark.parametrize("width", WIDTHS)
def test_matches_training_deploy_check(width):
    deploy_check = pytest.importorskip("bifsmn_mcu.training.deploy_check")
    d = random_deploy_state(51)
    f = random_features(52, 6)
    ours = fr.forward(d, f, width)
    for i in range(len(f)):
        theirs = deploy_check.forward(d, f[i], width)
        assert np.allclose(ours[i], theirs, rtol=1e-9, atol=1e-9)


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
    assert rows[0]["accumulated"] < 1e-3  # conv1: only Q12 rounding
    for r in rows[1:-2]:
        assert r["local"] < 0.05 and r["flip1"] < 0.01 and r["flip2"] < 0.01, r
    assert "top-1 agreement" in format_drift(rows)
