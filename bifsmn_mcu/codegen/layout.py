"""Weight and activation layouts of the binary matrix kernels (firmware/kernels/bnn_bmm_*).

Bits: 1 = negative, packed LSB first into uint32 words, padding bits 0 (SPEC 5).
``pack_rows``: row-major, output o at ``o * in_words`` (the portable kernels' layout).
``pack_columns``: column layout for the fast kernels: input i at ``i * out_words``, bit j of word k
is output ``32 k + j``; plus ``colsum[o]`` = negative weights of output o (int16).
``dots_reference``: the definition, d[v, o] = sum_i sign(a_vi) * sign(w_oi).
"""

from __future__ import annotations

import numpy as np


def _pack_bits(bits: np.ndarray) -> np.ndarray:
    """(..., n) of 0/1 -> (..., ceil(n/32)) uint32, LSB first, padding bits 0."""
    bits = np.asarray(bits, dtype=np.uint8)
    n = bits.shape[-1]
    words = (n + 31) // 32
    padded = np.zeros(bits.shape[:-1] + (words * 32,), dtype=np.uint8)
    padded[..., :n] = bits
    le = np.packbits(padded.reshape(bits.shape[:-1] + (words, 4, 8)), axis=-1, bitorder="little")
    return le.reshape(bits.shape[:-1] + (words, 4)).copy().view("<u4").reshape(bits.shape[:-1] + (words,))


def pack_rows(neg: np.ndarray) -> np.ndarray:
    """(n_out, n_in) bool (True = negative weight) -> (n_out, in_words) uint32."""
    return _pack_bits(np.asarray(neg, dtype=bool))


def pack_columns(neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n_out, n_in) bool -> ((n_in, out_words) uint32 column layout, (n_out,) int16 colsum)."""
    neg = np.asarray(neg, dtype=bool)
    colsum = neg.sum(axis=1).astype(np.int16)
    return _pack_bits(neg.T), colsum


def pack_activations(neg: np.ndarray) -> np.ndarray:
    """(n_vec, n_in) bool (True = negative activation) -> (n_vec, in_words) uint32."""
    return _pack_bits(np.asarray(neg, dtype=bool))


def dots_reference(a_neg: np.ndarray, w_neg: np.ndarray) -> np.ndarray:
    """d[v, o] = n_in - 2 * popcount(a_v XOR w_o) = sum of +-1 products, int32 (n_vec, n_out)."""
    a = 1 - 2 * np.asarray(a_neg, dtype=np.int32)
    w = 1 - 2 * np.asarray(w_neg, dtype=np.int32)
    return (a @ w.T).astype(np.int32)


def pack_bdense_fast(w_rows: np.ndarray, n_in: int) -> np.ndarray:
    """Row-major packed weights (n_out, in_words) -> the fast layout of bnn_bdense_vsparse_s32:
    column words (n_in, out_words) then int16 colsum (n_out, padded to a word), one uint32 array."""
    from ..model.bitpack import unpack_bits

    w_rows = np.asarray(w_rows, dtype=np.uint32)
    neg = unpack_bits(w_rows, n_in).astype(bool)
    cols, colsum = pack_columns(neg)
    cs = colsum.astype("<i2")
    if cs.size % 2:
        cs = np.concatenate([cs, np.zeros(1, dtype="<i2")])
    return np.concatenate([cols.reshape(-1), cs.view("<u4")]).astype(np.uint32)


def pack_bconv_fast(w_taps: np.ndarray, in_c: int) -> np.ndarray:
    """Binary conv weights in the portable layout (out_c, k*k) uint32 (in_c <= 32 channel bits per
    tap) -> the fast conv layout of bnn_bconv2d_vsparse_s32, one uint32 array: the portable words,
    then column words (n_in = k*k*in_c rows, row tap * in_c + c), int16 colsum (padded to a word),
    uint8 tapneg[tap, o] = negative weights of output o at that tap (padded to a word)."""
    w_taps = np.asarray(w_taps, dtype=np.uint32)
    out_c, taps = w_taps.shape
    shifts = np.arange(in_c, dtype=np.uint32)
    neg = ((w_taps[:, :, None] >> shifts) & 1).astype(bool)  # (out_c, taps, in_c)
    cols, colsum = pack_columns(neg.reshape(out_c, taps * in_c))
    cs = colsum.astype("<i2")
    if cs.size % 2:
        cs = np.concatenate([cs, np.zeros(1, dtype="<i2")])
    tapneg = neg.sum(axis=2).T.astype(np.uint8).reshape(-1)  # (taps, out_c)
    if tapneg.size % 4:
        tapneg = np.concatenate([tapneg, np.zeros(4 - tapneg.size % 4, dtype=np.uint8)])
    return np.concatenate([w_taps.reshape(-1), cols.reshape(-1), cs.view("<u4"), tapneg.view("<u4")]).astype(
        np.uint32
    )
