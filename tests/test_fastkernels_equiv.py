"""Every optimised kernel == its portable kernel, bit for bit, on random inputs of odd sizes
(not multiples of 32), extreme values that force the exact fallbacks, and the model's shapes:
host gcc (portable C paths, ASan/UBSan), Cortex-M4 and M3 under unicorn (DSP / Thumb-2 paths),
Cortex-M55 under QEMU (Helium). The harness draws its inputs from a seeded LCG and counts
mismatching outputs; the Python side checks that count is 0 and that the harness compares
something (a deliberately broken fast kernel must be caught)."""

from __future__ import annotations

import subprocess

import pytest
from conftest import require_tool

from bifsmn_mcu.resources import firmware_dir

KERNELS = firmware_dir() / "kernels"
FAST_SOURCES = [
    "bnn_bdense_vsparse_s32.c",
    "bnn_bmm_vsparse_i32.c",
    "bnn_bmm_vsparse_v7m_i32.c",
    "bnn_bmm_vsparse_mve_i32.c",
    "bnn_dsa_pack_cols_fast_s32.c",
    "bnn_conv2d_fast_s8.c",
    "bnn_bdwconv1d_fast_s32.c",
    "bnn_bconv2d_fast_s32.c",
    "bnn_dense_fast_s8.c",
    "bnn_dsa_pack_rows_fast_s32.c",
    "bnn_dsa_pack_cols_mve_s32.c",
    "bnn_bdwconv1d_mve_s32.c",
    "bnn_bconv2d_mve_s32.c",
    "bnn_bconv2d_vsparse_s32.c",
    "bnn_scratch.c",
]
PORTABLE_SOURCES = [
    "bnn_bdense_s32.c",
    "bnn_dsa_pack_cols_s32.c",
    "bnn_dsa_pack_rows_s32.c",
    "bnn_conv2d_s8.c",
    "bnn_bdwconv1d_s32.c",
    "bnn_bconv2d_s32.c",
    "bnn_dense_s8.c",
]

HARNESS = r"""
#include <stdint.h>
#include <string.h>
#include "bnn_kernels.h"
#include "bnn_kernels_select.h"

static uint32_t g_rng;
static uint32_t rnd(void) { g_rng = g_rng * 1664525u + 1013904223u; return g_rng ^ (g_rng >> 15); }
static int32_t rnd_range(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }

static uint32_t a1[2048], a2[2048], wrow[8192], wfast[12000];
static int32_t m[1024], b[1024], a[1024], s2v[64], res[8192], out1[8192], out2[8192], x[8192];
static int8_t s[1024], q8[16384];
static int16_t img[1024 + 2] __attribute__((aligned(4))); /* img + 1: not word-aligned */
static int64_t sums1[1024], sums2[1024];
static uint32_t bits1b[4096], bits2b[4096], bits1c[4096], bits2c[4096];
static int bad;
static int g_toggle; /* alternates S ranges: [20, 45] (scalar fallbacks) and [32, 45] (vector paths) */
/* every channel S >= 32 (2: S > 32) and |A| < 2^14: the fused / SMMULR paths;
   3: a few slopes of 0.5 up to 1, 4: half of the slopes */
static int g_fast_consts;
static int8_t g_last_s; /* test_bdense: the last channel's S, when not 0 */
static int g_edge_slopes; /* every fourth channel's slope exactly -2^14, 2^14 - 1 or 2^14 */
static int g_inplace;     /* test_bdense, test_dw: res == out (the residual in the output buffer) */
static int g_img_odd;     /* test_conv1: the image one int16 into its array (rows not word-aligned) */

static void rand_rq(int n, int with_prelu, bnn_requant_t *rq, int s_lo)
{
    for (int o = 0; o < n; ++o) {
        m[o] = rnd_range(1 << 28, 0x7fffffff) * ((rnd() & 1) ? 1 : -1);
        s[o] = (int8_t)rnd_range(s_lo, 45);
        b[o] = rnd_range(-40000, 40000);
        a[o] = rnd_range(-8000, 32767);
        if (rnd() % 4 == 0) { s[o] = 32; } /* the S == 32 rounding of the vector paths */
        if (g_fast_consts) {
            s[o] = (int8_t)rnd_range(g_fast_consts == 2 ? 33 : 32, 45);
            a[o] = rnd_range(-16383, 16383);
        }
        if (g_fast_consts >= 3 && rnd() % (g_fast_consts == 4 ? 2 : 16) == 0) {
            a[o] = (rnd() & 1) ? rnd_range(16384, 32767) : rnd_range(-32768, -16384);
        }
    }
    if (rnd() % 8 == 0) { m[0] = 0x7fffffff; b[0] = 0x7ffffff0; } /* saturation */
    for (int o = 1; g_edge_slopes && o < n; o += 4) { /* the SMMULR edge, both sides */
        a[o] = (o >> 2) % 3 == 0 ? -16384 : ((o >> 2) % 3 == 1 ? 16383 : 16384);
    }
    rq->m = m; rq->s = s; rq->b = b; rq->a = with_prelu ? a : 0;
}

static void rand_bits(uint32_t *w, int rows, int n)
{
    const int words = (n + 31) / 32;
    for (int r = 0; r < rows; ++r) {
        for (int j = 0; j < words; ++j) {
            uint32_t v = rnd();
            if (j == words - 1 && (n & 31)) { v &= (1u << (n & 31)) - 1u; }
            w[r * words + j] = v;
        }
    }
}

static void cmp(const int32_t *p, const int32_t *q, int n)
{
    for (int i = 0; i < n; ++i) { bad += p[i] != q[i]; }
}

/* fast layout: column words then int16 colsum */
static void pack_fast(const uint32_t *w, int n_in, int n_out, uint32_t *f)
{
    const int iw = (n_in + 31) / 32, ow = (n_out + 31) / 32;
    memset(f, 0, sizeof(uint32_t) * (size_t)(n_in * ow + (n_out + 1) / 2));
    int16_t *cs = (int16_t *)(f + n_in * ow);
    for (int o = 0; o < n_out; ++o) {
        for (int i = 0; i < n_in; ++i) {
            if ((w[o * iw + i / 32] >> (i % 32)) & 1u) { f[i * ow + o / 32] |= 1u << (o % 32); cs[o]++; }
        }
    }
}

static void test_bdense(int n_in, int T, int n_out, int with_res, int with_prelu)
{
    bnn_requant_t rq;
    rand_bits(a1, T, n_in); rand_bits(a2, T, n_in); rand_bits(wrow, n_out, n_in);
    pack_fast(wrow, n_in, n_out, wfast);
    for (int t = 0; t < T; ++t) { s2v[t] = rnd_range(0, BNN_S2_MAX); }
    rand_rq(n_out, with_prelu, &rq, (g_toggle++ & 1) ? 32 : 20);
    if (g_last_s) { s[n_out - 1] = g_last_s; } /* one channel off the fast constants */
    for (int i = 0; i < n_out * T; ++i) { res[i] = (int32_t)rnd() >> (rnd() % 8 == 0 ? 0 : 6); }
    bnn_bdense_s32(a1, a2, n_in, T, s2v, wrow, n_out, &rq, with_res ? res : 0, out1);
    if (g_inplace && with_res) {
        memcpy(out2, res, sizeof(int32_t) * (size_t)(n_out * T));
        bnn_bdense_vsparse_s32(a1, a2, n_in, T, s2v, wfast, n_out, &rq, out2, out2);
    } else {
        bnn_bdense_vsparse_s32(a1, a2, n_in, T, s2v, wfast, n_out, &rq, with_res ? res : 0, out2);
    }
    cmp(out1, out2, n_out * T);
}

/* thresholds of `rows` channels and the rows x cols activations in x (extreme 1: one channel with
 * near-int32-limit thresholds, and about 1 value in 16 drawn from the whole int32 range; 2: only
 * those values; 3: only that channel; 4: the last channel's t2 and values near INT32_MAX; 5: its
 * values and t2 near 2^30, t1 below -2^30) */
static void rand_pack_inputs(int rows, int cols, int extreme, int32_t *t1, int32_t *t2)
{
    for (int c = 0; c < rows; ++c) {
        t1[c] = rnd_range(-20000, 20000); t2[c] = rnd_range(-20000, 20000);
        if ((extreme == 1 || extreme == 3) && c == rows / 2) { t1[c] = 0x7fffff00; t2[c] = -0x7fffff00; }
        if (extreme == 4 && c == rows - 1) { t2[c] = 0x7fff8000; } /* t2 + ONE leaves int32 */
        /* x - t1 leaves int32 */
        if (extreme == 5 && c == rows - 1) { t1[c] = -0x40000100; t2[c] = 0x40000000; }
    }
    const int wide = extreme == 1 || extreme == 2; /* values from the whole int32 range */
    for (int i = 0; i < rows * cols; ++i) {
        x[i] = (wide && rnd() % 16 == 0) ? (int32_t)rnd() : rnd_range(-60000, 60000);
        /* near t2 */
        if (extreme >= 4 && i / cols == rows - 1) { x[i] = t2[rows - 1] + rnd_range(-70000, 32767); }
    }
}

static void test_pack_cols(int rows, int cols, int extreme)
{
    int32_t t1[1024], t2[1024];
    rand_pack_inputs(rows, cols, extreme, t1, t2);
    memset(bits1b, 0, sizeof bits1b); memset(bits1c, 0, sizeof bits1c);
    bnn_dsa_pack_cols_s32(x, rows, cols, t1, t2, bits1b, bits2b, sums1);
    const int words = (rows + 31) / 32;
    for (int pass = 0; pass < 2; ++pass) {
        memset(bits1c, 0, sizeof bits1c);
        if (pass == 0) {
            bnn_dsa_pack_cols_fast_s32(x, rows, cols, t1, t2, bits1c, bits2c, sums2);
        } else {
            bnn_dsa_pack_cols_sel_s32(x, rows, cols, t1, t2, bits1c, bits2c, sums2);
        }
        for (int i = 0; i < cols * words; ++i) {
            bad += bits1b[i] != bits1c[i];
            bad += bits2b[i] != bits2c[i];
        }
        for (int t = 0; t < cols; ++t) { bad += sums1[t] != sums2[t]; }
    }
}

static void test_pack_rows(int rows, int cols, int extreme)
{
    int32_t t1[1024], t2[1024];
    rand_pack_inputs(rows, cols, extreme, t1, t2);
    bnn_dsa_pack_rows_s32(x, rows, cols, t1, t2, bits1b, bits2b, sums1);
    bnn_dsa_pack_rows_fast_s32(x, rows, cols, t1, t2, bits1c, bits2c, sums2);
    for (int c = 0; c < rows; ++c) {
        bad += bits1b[c] != bits1c[c]; bad += bits2b[c] != bits2c[c]; bad += sums1[c] != sums2[c];
    }
}

static void test_conv1(int h, int w, int oc, int k, int stride, int pad, int32_t off, int with_prelu)
{
    bnn_requant_t rq;
    int16_t *const im = img + g_img_odd;
    for (int i = 0; i < h * w; ++i) { im[i] = (int16_t)rnd_range(3840, 16000); }
    for (int i = 0; i < oc * k * k; ++i) { q8[i] = (int8_t)rnd_range(-127, 127); }
    rand_rq(oc, with_prelu, &rq, 30);
    if (g_fast_consts && oc > 1) { s[1] = 32; b[1] = 0x3ff00000; } /* foldable, 2 rnd >> 32 near 2^31 */
    const int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
    bnn_conv2d_s8(im, h, w, off, q8, oc, k, stride, pad, &rq, out1);
    bnn_conv2d_fast_s8(im, h, w, off, q8, oc, k, stride, pad, &rq, out2);
    cmp(out1, out2, oc * oh * ow);
}

static void test_dw(int ch, int T, int k, int pad, int with_res)
{
    bnn_requant_t rq;
    rand_bits(a1, ch, T); rand_bits(a2, ch, T); rand_bits(wrow, ch, k);
    for (int c = 0; c < ch; ++c) { s2v[c % 64] = rnd_range(0, BNN_S2_MAX); }
    int32_t s2c[512];
    for (int c = 0; c < ch; ++c) { s2c[c] = rnd_range(0, BNN_S2_MAX); }
    rand_rq(ch, 1, &rq, (g_toggle++ & 1) ? 32 : 20);
    if (g_toggle % 3 == 0) { for (int c = 0; c < ch; ++c) { s[c] = (int8_t)rnd_range(24, 31); } } /* S < 32 */
    for (int i = 0; i < ch * T; ++i) { res[i] = (int32_t)rnd() >> 4; }
    bnn_bdwconv1d_s32(a1, a2, ch, T, s2c, wrow, k, pad, &rq, with_res ? res : 0, out1);
    /* in place: the residual copied into the output buffer before each call */
    const int inplace = g_inplace && with_res;
    const int32_t *rs = inplace ? out2 : (with_res ? res : 0);
    const size_t n = sizeof(int32_t) * (size_t)(ch * T);
    if (inplace) { memcpy(out2, res, n); }
    bnn_bdwconv1d_fast_s32(a1, a2, ch, T, s2c, wrow, k, pad, &rq, rs, out2);
    cmp(out1, out2, ch * T);
    if (inplace) { memcpy(out2, res, n); }
    bnn_bdwconv1d_sel_s32(a1, a2, ch, T, s2c, wrow, k, pad, &rq, rs, out2);
    cmp(out1, out2, ch * T);
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
    /* not selected (the scalar fast kernel runs fewer instructions on M55), still kept exact */
    if (inplace) { memcpy(out2, res, n); }
    bnn_bdwconv1d_mve_s32(a1, a2, ch, T, s2c, wrow, k, pad, &rq, rs, out2);
    cmp(out1, out2, ch * T);
#endif
}

/* fast conv layout: portable words, column words, int16 colsum, uint8 tapneg[tap][o] */
static uint32_t wconv[4096];
static void pack_conv_fast(const uint32_t *w, int oc, int kk, int ic, uint32_t *f)
{
    const int n_in = kk * ic, ow = (oc + 31) / 32;
    memset(f, 0, sizeof wconv);
    memcpy(f, w, sizeof(uint32_t) * (size_t)(oc * kk));
    uint32_t *cols = f + oc * kk;
    int16_t *cs = (int16_t *)(cols + n_in * ow);
    uint8_t *tn = (uint8_t *)(cs + ((oc + 1) & ~1));
    for (int o = 0; o < oc; ++o) {
        for (int tap = 0; tap < kk; ++tap) {
            for (int c = 0; c < ic; ++c) {
                if ((w[o * kk + tap] >> c) & 1u) {
                    cols[(tap * ic + c) * ow + o / 32] |= 1u << (o % 32);
                    cs[o]++;
                    tn[tap * oc + o]++;
                }
            }
        }
    }
}

static void test_bconv(int h, int w, int ic, int oc, int k, int stride, int pad)
{
    bnn_requant_t rq;
    rand_bits(a1, h * w, ic); rand_bits(a2, h * w, ic); rand_bits(wrow, oc * k * k, ic);
    const int32_t s2 = rnd_range(0, BNN_S2_MAX);
    rand_rq(oc, 1, &rq, (g_toggle++ & 1) ? 32 : 20);
    const int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
    bnn_bconv2d_s32(a1, a2, h, w, ic, s2, wrow, oc, k, stride, pad, &rq, out1);
    bnn_bconv2d_fast_s32(a1, a2, h, w, ic, s2, wrow, oc, k, stride, pad, &rq, out2);
    cmp(out1, out2, oc * oh * ow);
    pack_conv_fast(wrow, oc, k * k, ic, wconv);
    bnn_bconv2d_sel_s32(a1, a2, h, w, ic, s2, wconv, oc, k, stride, pad, &rq, out2);
    cmp(out1, out2, oc * oh * ow);
    bnn_bconv2d_vsparse_s32(a1, a2, h, w, ic, s2, wconv, oc, k, stride, pad, &rq, out2);
    cmp(out1, out2, oc * oh * ow);
}

static void test_dense(int n_in, int n_out, int shift)
{
    bnn_requant_t rq;
    for (int i = 0; i < n_in; ++i) { x[i] = (rnd() % 8 == 0) ? (int32_t)rnd() : rnd_range(-200000, 200000); }
    for (int i = 0; i < n_in * n_out; ++i) { q8[i] = (int8_t)rnd_range(-127, 127); }
    rand_rq(n_out, 0, &rq, 20);
    bnn_dense_s8(x, n_in, shift, q8, n_out, &rq, out1);
    bnn_dense_fast_s8(x, n_in, shift, q8, n_out, &rq, out2);
    cmp(out1, out2, n_out);
}

int run_all(uint32_t seed)
{
    g_rng = seed;
    bad = 0;
    g_toggle = 0;
    test_bdense(256, 8, 128, 1, 1);
    test_bdense(256, 8, 128, 1, 1);
    test_bdense(77, 3, 37, 0, 1);
    test_bdense(131, 2, 100, 1, 0);
    test_bdense(999, 1, 33, 0, 1);
    test_bdense(1100, 1, 40, 1, 1); /* beyond BNN_BMM_MAX_IN: the bit-by-bit path */
    test_bdense(40, 2, 530, 1, 1);  /* beyond BNN_BMM_MAX_OUT */
    test_pack_cols(256, 8, 0);
    test_pack_cols(77, 5, 1);
    test_pack_cols(16, 256, 0);
    test_pack_cols(45, 8, 2); /* out-of-range values with safe thresholds: the per-value 64-bit path */
    test_pack_cols(77, 12, 0);
    test_pack_cols(128, 8, 2); /* full 8-column words with out-of-range values: the redo */
    test_pack_cols(70, 9, 2);
    test_pack_cols(48, 5, 2); /* strided 32- and 16-row words with out-of-range values */
    test_pack_cols(64, 8, 4); /* t2 + ONE beyond int32 */
    test_pack_cols(64, 8, 5); /* x - t1 beyond int32 with r small */
    test_pack_rows(128, 8, 0);
    test_pack_rows(37, 5, 1);
    test_pack_rows(45, 32, 2);
    test_pack_rows(40, 8, 2); /* 8-frame rows with out-of-range values: the unrolled path's redo */
    test_pack_rows(40, 8, 3); /* 8-frame rows, one with near-int32-limit thresholds */
    test_conv1(32, 32, 16, 5, 2, 2, 7000, 1);
    test_conv1(17, 13, 3, 5, 2, 2, 7000, 1);
    test_conv1(20, 22, 5, 3, 1, 1, 9000, 0);
    test_dw(128, 8, 5, 2, 1);
    test_dw(128, 8, 5, 2, 1);
    test_dw(37, 5, 5, 2, 0);
    test_dw(19, 11, 3, 1, 1);
    test_dw(130, 8, 5, 2, 1); /* a multiple-of-4 body and a scalar tail */
    test_bconv(16, 16, 16, 32, 5, 2, 2);
    test_bconv(16, 16, 16, 32, 5, 2, 2);
    test_bconv(11, 9, 15, 8, 5, 2, 2);
    test_bconv(9, 11, 13, 7, 5, 2, 2);
    test_bconv(7, 9, 5, 3, 3, 1, 1);
    test_dense(1024, 12, 4);
    test_dense(36, 5, 4);
    test_dense(37, 3, 4);
    g_fast_consts = 1;
    test_bdense(256, 8, 128, 1, 1);
    test_bdense(128, 8, 256, 0, 1);
    test_bdense(77, 3, 37, 0, 1);
    test_bdense(131, 2, 100, 1, 0);
    test_bdense(45, 8, 70, 1, 1);
    test_bdense(999, 1, 33, 0, 1); /* row lists beyond one counting pass: the general path */
    test_bdense(70, 2, 500, 1, 1);  /* column words 8 and 12: the Helium counts' constant offsets */
    test_bdense(53, 3, 450, 0, 1);  /* a last group of three column words */
    test_bdense(999, 1, 130, 1, 1); /* several counting passes, four full words then one */
    test_bdense(488, 8, 64, 1, 1);  /* 8 frames, more inputs than the assembly path takes */
    test_bdense(40, 8, 288, 0, 1);  /* 8 frames, more outputs than the assembly path takes */
    g_last_s = 20;
    test_bdense(64, 8, 70, 0, 1);   /* the assembly path's words fine, the partial word's S < 32 */
    g_last_s = 8;
    test_bdense(64, 8, 64, 1, 1);   /* a full word's S < 32 */
    g_last_s = 0;
    test_dw(128, 8, 5, 2, 1);
    test_dw(37, 5, 5, 2, 1);
    test_bconv(16, 16, 16, 32, 5, 2, 2);
    test_bconv(16, 16, 16, 32, 5, 2, 2);
    test_bconv(11, 9, 15, 8, 5, 2, 2);
    test_bconv(9, 11, 13, 37, 5, 2, 2); /* two column words, the second partial */
    test_bconv(16, 16, 16, 21, 5, 2, 2); /* the model's input shape with 21 outputs: position lanes */
    test_bconv(7, 9, 5, 3, 3, 1, 1);
    test_bconv(6, 7, 31, 5, 3, 1, 1); /* taps straddling words */
    test_conv1(32, 32, 16, 5, 2, 2, 7000, 1);
    test_conv1(18, 12, 5, 5, 2, 2, 9000, 1); /* six outputs a row: not a multiple of four, the C path */
    test_conv1(20, 24, 5, 5, 2, 2, 9000, 0);
    test_conv1(31, 7, 4, 5, 2, 2, 9000, 1);  /* odd width, a single pass of four per row */
    test_conv1(29, 13, 3, 5, 2, 3, -9000, 1); /* pad 3: odd pad, rows cut from the offset row */
    test_conv1(16, 16, 2, 5, 2, 2, -20000, 1); /* pixels minus the offset beyond int16 */
    g_fast_consts = 2; /* S > 32 everywhere: the Helium record path of bdense (whole groups of 128) */
    test_bdense(256, 8, 128, 1, 1);
    test_bdense(128, 8, 256, 0, 1);
    test_bdense(256, 8, 128, 0, 0);
    test_bdense(200, 8, 128, 1, 0);
    test_bdense(480, 8, 128, 1, 1); /* the record path's input limit (BV_REC_MAX_IN: 240-row lists) */
    g_fast_consts = 3; /* a few PReLU slopes >= 0.5: the exact per-output fixes of the fast paths */
    test_bdense(256, 8, 128, 1, 1);
    test_bdense(128, 8, 256, 0, 1);
    test_bconv(16, 16, 16, 32, 5, 2, 2);
    test_bconv(16, 16, 16, 32, 5, 2, 2);
    test_bdense(480, 8, 128, 1, 1); /* the dense assembly path's input limit (240-row lists) */
    test_bdense(128, 8, 100, 1, 1); /* a wide slope may fall in the partial last word */
    g_fast_consts = 4; /* more than 32 wide slopes in a layer: beyond the fix-up list */
    test_bdense(128, 8, 256, 1, 1);
    test_bdense(256, 8, 128, 0, 1);
    g_fast_consts = 1;
    g_edge_slopes = 1; /* slopes -2^14 (SMMULR by -2^31), 2^14 - 1 (the last SMMULR one), 2^14 (wide) */
    test_bdense(256, 8, 128, 1, 1); /* the dense assembly path (2^14: its fix-up list) */
    test_bdense(128, 8, 100, 0, 1); /* its partial last word (bnn_vs_fused.h) */
    test_bdense(77, 3, 37, 1, 1);   /* the fused C path */
    test_dw(128, 8, 5, 2, 1);       /* the memory block's assembly path (2^14: the generic code) */
    test_bconv(16, 16, 16, 32, 5, 2, 2); /* position lanes */
    test_bconv(11, 9, 15, 8, 5, 2, 2);   /* per position (bnn_vs_fused.h) */
    test_conv1(32, 32, 16, 5, 2, 2, 7000, 1);
    g_fast_consts = 2;
    test_bdense(256, 8, 128, 1, 1); /* the Helium record path */
    g_edge_slopes = 0;
    g_inplace = 1; /* res == out: the dense assembly path needs res != out, so its fallback runs */
    g_fast_consts = 3;
    test_bdense(256, 8, 128, 1, 1); /* the model's shape with wide slopes */
    g_fast_consts = 1;
    test_bdense(256, 8, 128, 1, 1);
    test_bdense(77, 3, 37, 1, 1);
    test_dw(128, 8, 5, 2, 1);
    g_fast_consts = 2;
    test_bdense(256, 8, 128, 1, 1); /* the Helium record path */
    g_fast_consts = 0;
    test_bdense(131, 2, 100, 1, 0); /* the general transform */
    test_dw(19, 11, 3, 1, 1);
    g_inplace = 0;
    g_img_odd = 1; /* conv1's pixel pairs from rows that are not word-aligned */
    test_conv1(32, 32, 16, 5, 2, 2, 7000, 1);
    test_conv1(31, 7, 4, 5, 2, 2, 9000, 1);
    test_conv1(16, 16, 2, 5, 2, 2, -20000, 1); /* pixels minus the offset beyond int16 */
    g_img_odd = 0;
    return bad;
}

#ifdef HOST_MAIN
#include <stdio.h>
int main(void)
{
    int total = 0;
    for (uint32_t seed = 1; seed <= 3; ++seed) { total += run_all(seed); }
    printf("%d\n", total);
    return total != 0;
}
#endif
"""


def _sources(tmp_path, broken: bool = False):
    harness = tmp_path / "fast_equiv.c"
    harness.write_text(HARNESS)
    srcs = [KERNELS / s for s in FAST_SOURCES + PORTABLE_SOURCES]
    if broken:  # a fast kernel with an off-by-one in its output: the harness must see it
        text = (KERNELS / "bnn_dense_fast_s8.c").read_text().replace("out[o] = y;", "out[o] = y + (o == 1);")
        (tmp_path / "bnn_dense_fast_s8.c").write_text(text)
        srcs = [tmp_path / "bnn_dense_fast_s8.c" if s.name == "bnn_dense_fast_s8.c" else s for s in srcs]
    return [harness, *srcs]


def test_fast_equals_portable_host(tmp_path):
    require_tool("gcc")
    from bifsmn_mcu.toolchain import compile_host

    exe = compile_host(
        _sources(tmp_path),
        tmp_path / "equiv",
        include_dirs=[KERNELS],
        defines={"HOST_MAIN": 1},
        sanitize=True,
    )
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "0"


def _unicorn_mismatches(tmp_path, cpu: str, broken: bool = False) -> int:
    from bifsmn_mcu.measure import call_function
    from bifsmn_mcu.toolchain import compile_arm

    elf = compile_arm(
        _sources(tmp_path, broken),
        tmp_path / f"equiv_{cpu}.elf",
        cpu=cpu,
        include_dirs=[KERNELS],
        keep=["run_all"],
    )
    return call_function(elf, "run_all", [12345], cpu=cpu, max_instructions=400_000_000).return_value


@pytest.mark.parametrize(
    "cpu", ["m4", pytest.param("m3", marks=pytest.mark.slow), pytest.param("m33", marks=pytest.mark.slow)]
)
def test_fast_equals_portable_cortex_m(tmp_path, cpu):
    require_tool("arm-none-eabi-gcc")
    assert _unicorn_mismatches(tmp_path, cpu) == 0


def test_harness_catches_a_broken_kernel(tmp_path):
    require_tool("arm-none-eabi-gcc")
    assert _unicorn_mismatches(tmp_path, "m4", broken=True) > 0


@pytest.mark.qemu
def test_fast_equals_portable_m55(tmp_path):
    require_tool("arm-none-eabi-gcc")
    require_tool("qemu-system-arm")
    from bifsmn_mcu.bench.firmware import build_firmware
    from bifsmn_mcu.bench.qemu_count import build_plugin, run_counted

    main = tmp_path / "main55.c"
    main.write_text(
        '#include <stdint.h>\n#include "bench_semihost.h"\nint run_all(uint32_t seed);\n'
        "int main(void)\n{\n    bench_exit(run_all(777u) != 0);\n    return 0;\n}\n"
    )
    elf = build_firmware([main, *_sources(tmp_path)], tmp_path / "equiv55.elf", cpu="m55")
    run = run_counted(elf, "m55", build_plugin(tmp_path / "plugin"), timeout=300)
    assert run.exit_code == 0
    for kernel in (
        "bnn_bmm_vsparse_mve_i32",
        "bnn_dsa_pack_cols_mve_s32",
        "bnn_bdwconv1d_mve_s32",
        "bnn_bconv2d_mve_s32",
    ):
        assert run.per_function.get(kernel, 0) > 1000, kernel  # the vector bodies ran, not only fallbacks
