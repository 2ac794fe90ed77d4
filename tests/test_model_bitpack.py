"""Bit packing and the XOR-popcount identity (hypothesis properties)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bifsmn_mcu.model.bitpack import n_words, pack_bits, popcount32, signs_from_bits, unpack_bits

bool_rows = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 130).flatmap(lambda n: arrays(bool, (rows, n)))
)


@given(bool_rows)
def test_pack_unpack_round_trip(bits):
    words = pack_bits(bits)
    assert words.dtype == np.uint32
    assert words.shape == (bits.shape[0], n_words(bits.shape[1]))
    assert (unpack_bits(words, bits.shape[1]) == bits).all()


@given(bool_rows)
def test_padding_bits_are_zero_and_lsb_first(bits):
    n = bits.shape[1]
    words = pack_bits(bits)
    all_bits = unpack_bits(words, words.shape[1] * 32)
    assert not all_bits[:, n:].any()
    first = words[:, 0] & np.uint32(1)
    assert (first.astype(bool) == bits[:, 0]).all()


def test_bit_one_means_negative():
    w = pack_bits(np.array([[True, False, False, True]]))
    assert int(w[0, 0]) == 0b1001
    assert signs_from_bits(w, 4).tolist() == [[-1, 1, 1, -1]]


@settings(max_examples=200)
@given(st.integers(1, 200).flatmap(lambda n: st.tuples(arrays(bool, n), arrays(bool, n))))
def test_xor_popcount_equals_pm1_dot(pair):
    a, w = pair
    n = len(a)
    pa, pw = pack_bits(a), pack_bits(w)
    pc = int(popcount32(pa ^ pw).sum())
    dot = int((np.where(a, -1, 1) * np.where(w, -1, 1)).sum())
    assert n - 2 * pc == dot


@given(arrays(np.uint32, 16))
def test_swar_popcount_matches_bin(words):
    assert popcount32(words).tolist() == [bin(int(v)).count("1") for v in words]
