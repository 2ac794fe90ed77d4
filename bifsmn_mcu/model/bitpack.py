"""Bit packing of binary values: uint32 words, LSB first, bit 1 = negative, padding bits 0.

``pack_bits(neg)`` packs a boolean array along its last axis into ``ceil(n / 32)`` words;
``unpack_bits(words, n)`` is its inverse. ``signs_from_bits`` gives the +-1 values back.
"""

from __future__ import annotations

import numpy as np

WORD_BITS = 32


def n_words(n: int) -> int:
    return (n + WORD_BITS - 1) // WORD_BITS


def pack_bits(neg: np.ndarray) -> np.ndarray:
    """Boolean ``(..., n)`` (True = negative) -> uint32 ``(..., ceil(n/32))``, LSB first."""
    neg = np.asarray(neg, dtype=bool)
    n = neg.shape[-1]
    pad = n_words(n) * WORD_BITS - n
    b = np.concatenate([neg, np.zeros(neg.shape[:-1] + (pad,), dtype=bool)], axis=-1)
    b = b.reshape(neg.shape[:-1] + (-1, WORD_BITS)).astype(np.uint64)
    weights = np.left_shift(np.uint64(1), np.arange(WORD_BITS, dtype=np.uint64))
    return (b * weights).sum(axis=-1).astype(np.uint32)


def unpack_bits(words: np.ndarray, n: int) -> np.ndarray:
    """uint32 ``(..., w)`` -> boolean ``(..., n)``; the padding bits beyond ``n`` are dropped."""
    words = np.asarray(words, dtype=np.uint32)
    if n > words.shape[-1] * WORD_BITS:
        raise ValueError(f"{n} bits do not fit in {words.shape[-1]} words")
    shifts = np.arange(WORD_BITS, dtype=np.uint32)
    bits = (words[..., :, None] >> shifts) & np.uint32(1)
    return bits.reshape(words.shape[:-1] + (-1,))[..., :n].astype(bool)


def signs_from_bits(words: np.ndarray, n: int) -> np.ndarray:
    """uint32 words -> int64 +-1 values (bit 1 = -1)."""
    return np.where(unpack_bits(words, n), -1, 1).astype(np.int64)


def popcount32(words: np.ndarray) -> np.ndarray:
    """Bit count of each uint32 word (the SWAR sequence the C kernels use)."""
    v = np.asarray(words, dtype=np.uint64) & np.uint64(0xFFFFFFFF)
    v = v - ((v >> np.uint64(1)) & np.uint64(0x55555555))
    v = (v & np.uint64(0x33333333)) + ((v >> np.uint64(2)) & np.uint64(0x33333333))
    v = (v + (v >> np.uint64(4))) & np.uint64(0x0F0F0F0F)
    return (((v * np.uint64(0x01010101)) & np.uint64(0xFFFFFFFF)) >> np.uint64(24)).astype(np.int64)
