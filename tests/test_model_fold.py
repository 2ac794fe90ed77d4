"""Folding a deploy dict into integer constants: multipliers, edge cases, agreement with float."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bifsmn_mcu.model import float_reference as fr
from bifsmn_mcu.model import intref
from bifsmn_mcu.model.errors import FoldError
from bifsmn_mcu.model.fold import (
    INT32_MAX,
    INT32_MIN,
    ONE,
    S2_MAX,
    binary_acc_bound,
    fold,
    multiplier_bits,
    quantize_multiplier,
    to_fixed,
)
from bifsmn_mcu.model.random_deploy import random_deploy_state, random_features

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).filter(lambda v: abs(v) > 1e-9)


@settings(max_examples=300)
@given(finite, st.sampled_from([binary_acc_bound(400), 25 * 127 * 65535, 1024 * 127 * 32768, 5]))
def test_multiplier_precision_and_no_overflow(m, bound):
    M, S = quantize_multiplier(np.array([m]), bound)
    M, S = int(M[0]), int(S[0])
    assert 1 <= S <= 62
    assert abs(M) < 1 << multiplier_bits(bound)
    assert abs(M) * bound + (1 << (S - 1)) < 1 << 63  # acc * M + rounding fits int64
    assert np.sign(M) == np.sign(m)
    # as precise as the bit budget allows: relative error below one unit of the top bit budget
    if S < 62:
        assert abs(M / 2.0**S - m) <= abs(m) * 2.0 ** -(multiplier_bits(bound) - 2)


def test_zero_multiplier_and_too_large_multiplier():
    M, S = quantize_multiplier(np.array([0.0, 1e-30]), 1000)
    assert M.tolist() == [0, 0]
    with pytest.raises(FoldError):
        quantize_multiplier(np.array([1e12]), 1000)


def test_to_fixed_saturates_at_int32():
    v = to_fixed(np.array([1e12, -1e12, 0.5 / 4096, -0.5 / 4096, 1.25]), 12)
    assert v.tolist() == [INT32_MAX, INT32_MIN, 1, -1, 5120]


def _h1_like(seed=0, n=4):
    return random_features(seed, n)


def test_negative_bn_scale_flips_the_channel():
    d = random_deploy_state(1)
    d["conv2"]["bn_bias"][3] = 0.0
    d2 = copy.deepcopy(d)
    d2["conv2"]["bn_scale"][3] *= -1.0
    ir, ir2 = fold(d), fold(d2)
    assert ir.get("conv2", "M")[3] == -ir2.get("conv2", "M")[3] != 0
    h1 = intref.conv1(ir, _h1_like())
    a = intref.conv2(ir, h1)
    b = intref.conv2(ir2, h1)
    assert (np.delete(a, 3, axis=1) == np.delete(b, 3, axis=1)).all()
    pos = a[:, 3] > 100  # PReLU(z) with z > 0 on one side is PReLU(-z) = slope * -z on the other
    assert pos.any() and (b[:, 3][pos] < 0).all()
    slope = ir.get("conv2", "A")[3] / 32768.0
    assert np.allclose(b[:, 3][pos], -slope * a[:, 3][pos], atol=2)


@pytest.mark.parametrize("t1, expect_neg", [(1e9, True), (-1e9, False)])
def test_thresholds_that_never_or_always_fire(t1, expect_neg):
    d = random_deploy_state(2)
    d["proj"]["t1"] = np.full(256, t1)
    ir = fold(d)
    assert ir.get("proj", "T1")[0] == (INT32_MAX if t1 > 0 else INT32_MIN)
    x = np.random.default_rng(0).integers(-(1 << 20), 1 << 20, (3, 256, 8))
    b1, _, _ = intref.dsa(x, ir.get("proj", "T1"), ir.get("proj", "T2"), (1,))
    assert ((b1 < 0) == expect_neg).all()
    fb1, _, _ = fr.dsa(x / ONE, d["proj"]["t1"], d["proj"]["t2"], (1,))
    assert ((fb1 < 0) == expect_neg).all()


def test_saturation_of_residuals_and_requantize():
    y = intref.requantize(np.array([[1 << 28, -(1 << 28)]]), [1 << 30, 1 << 30], [1, 1], [0, 0])
    assert y.tolist() == [[INT32_MAX, INT32_MIN]]
    assert intref.sat32(np.array([INT32_MAX + 5, INT32_MIN - 5])).tolist() == [INT32_MAX, INT32_MIN]


def test_s2_saturates():
    x = np.full((1, 4, 8), 1 << 30)
    _, _, s2 = intref.dsa(x, np.zeros(4), np.zeros(4), (1,))
    assert (s2 == S2_MAX).all()


def test_binary_accumulator_bound_leaves_31_bit_multipliers():
    assert multiplier_bits(binary_acc_bound(400)) == 31
    assert binary_acc_bound(400) < 2**31  # the optimised kernels accumulate in int32


def test_fold_rejects_bad_dicts():
    d = random_deploy_state(3)
    bad = copy.deepcopy(d)
    bad["conv2"]["w_sign"] = bad["conv2"]["w_sign"] * 2
    with pytest.raises(FoldError, match="w_sign"):
        fold(bad)
    bad = copy.deepcopy(d)
    bad["conv1"]["w"] = bad["conv1"]["w"] + 1e-3
    with pytest.raises(FoldError, match="int8"):
        fold(bad)
    bad = copy.deepcopy(d)
    del bad["classifier"]
    with pytest.raises(FoldError):
        fold(bad)


def test_every_path_is_kept():
    d = random_deploy_state(4)
    ir = fold(d)
    assert ir.widths == ["1", "1/2", "1/4", "1/8"]
    for w in ir.widths:
        for i in ir.blocks(w):
            lay = ir.layer(f"block{i}.fc2")
            assert w in lay["paths"]
            assert ir.arrays[lay["paths"][w]["M"]].shape == (128,)


@pytest.mark.parametrize("width", ["1", "1/2", "1/4", "1/8"])
def test_integer_reference_equals_float_reference(width):
    """The float reference runs on the device grid: integer logits == float logits * ONE, exactly."""
    for seed in (5, 7):
        d = random_deploy_state(seed)
        f = random_features(seed + 1, 16)
        np.testing.assert_array_equal(intref.logits(fold(d), f, width), fr.forward(d, f, width) * ONE)
