/* bnn_fastrq.h - private inline helpers of the optimised kernels (not kernels): the output
 * transform of bnn_kernels.h (requantize, PReLU, saturating residual add) computed with 32-bit
 * operations where that is exact, and per-channel constants prepared once per call.
 *
 * For 32 <= S <= 62 and |acc * M| < 2^62 (what export guarantees):
 *   rshr64(acc * M, S) = ((acc * M + 2^(S-1)) >> 32) >> (S-32)   (floor shifts compose)
 * i.e. one SMLAL with the 64-bit rounding constant and a 32-bit shift of the high word.
 * The Helium kernels use the same identity as (hi + 2^(S-33) + [S == 32] (lo >> 31)) >> (S-32).
 * S < 32 takes bnn_requant itself.
 * sat32(r + B) is one QADD where the core has it. PReLU: sat32((y * A + 2^14) >> 15) on 64 bits.
 * Callers keep acc = d1 * ONE + s2 * d2 in int32: at most BNN_I32_MAX_IN binary inputs.
 */
#ifndef BNN_FASTRQ_H
#define BNN_FASTRQ_H

#include "bnn_kernels.h"

#if defined(__GNUC__)
#define BNN_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define BNN_LIKELY(x) (x)
#endif

/* d1 * BNN_ONE + s2 * d2 fits int32 for this many binary inputs (s2 <= BNN_S2_MAX) */
#define BNN_I32_MAX_IN ((int32_t)(0x7fffffffLL / (BNN_ONE + BNN_S2_MAX)))

typedef struct {
    int32_t m;   /* M */
    int32_t sh;  /* S - 32 (>= 0) for S >= 32, or -S for the generic path (S < 32) */
    int64_t rnd; /* 2^(S-1) */
    int32_t b;   /* B */
    int32_t a;   /* PReLU slope (Q15) */
    int32_t ls;  /* S < 32 with a small enough product: 32 - S (see bnn_frq_prepare_low), else 0 */
    int32_t a17; /* A << 17, 0 for a wide slope (bnn_frq_prepare_fold only) */
} bnn_frq_t;

/* Fills c[0..n); returns 1 when every channel takes the 32-bit path (S >= 32). */
static inline int bnn_frq_prepare(const bnn_requant_t *rq, int n, bnn_frq_t *c)
{
    int all = 1;
    for (int o = 0; o < n; ++o) {
        const int s = rq->s[o];
        c[o].m = rq->m[o];
        c[o].b = rq->b[o];
        c[o].a = rq->a != NULL ? rq->a[o] : 0;
        c[o].rnd = (int64_t)1 << (s - 1);
        c[o].ls = 0;
        if (s >= 32) {
            c[o].sh = s - 32;
        } else {
            c[o].sh = -s;
            all = 0;
        }
    }
    return all;
}

static inline int32_t bnn_frq_qadd(int32_t x, int32_t y)
{
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
    int32_t r;
    __asm__("qadd %0, %1, %2" : "=r"(r) : "r"(x), "r"(y));
    return r;
#else
    return bnn_sat32((int64_t)x + (int64_t)y);
#endif
}

/* bnn_frq_requant for a channel known to have S >= 32: one SMLAL with the rounding constant,
 * the high word, an arithmetic shift by S - 32 */
static inline int32_t bnn_frq_requant33(int32_t acc, const bnn_frq_t *c)
{
    const int32_t hi = (int32_t)(((int64_t)acc * (int64_t)c->m + c->rnd) >> 32);
    return bnn_frq_qadd(hi >> c->sh, c->b);
}

/* Channels with S < 32 whose |acc| <= acc_bound keeps |acc * M| + 2^(S-1) below 2^(31+S): then
 * rshr64(acc * M, S) fits int32 and is (hi << (32-S)) | (lo >> S) of acc * M + 2^(S-1). */
static inline void bnn_frq_prepare_low(bnn_frq_t *c, int n, int64_t acc_bound)
{
    for (int o = 0; o < n; ++o) {
        const int s = -c[o].sh;
        if (c[o].sh < 0 && s >= 1) {
            const int64_t m = c[o].m < 0 ? -(int64_t)c[o].m : (int64_t)c[o].m;
            if (acc_bound * m + ((int64_t)1 << (s - 1)) < ((int64_t)1 << (30 + s))) {
                c[o].ls = 32 - s;
            }
        }
    }
}

/* sat32(rshr64(acc * M, S) + B) */
static inline int32_t bnn_frq_requant(int32_t acc, const bnn_frq_t *c)
{
    if (BNN_LIKELY(c->sh >= 0)) {
        return bnn_frq_requant33(acc, c);
    }
    if (c->ls) {
        const uint64_t p = (uint64_t)((int64_t)acc * (int64_t)c->m + c->rnd);
        const uint32_t lo = (uint32_t)p, hi = (uint32_t)(p >> 32);
        return bnn_frq_qadd((int32_t)((hi << c->ls) | (lo >> (32 - c->ls))), c->b);
    }
    return bnn_requant(acc, c->m, (int8_t)(-c->sh), c->b);
}

/* (y * a17 + 2^31) >> 32 (SMMULR): with a17 = A << 17 and -2^14 <= A < 2^14 this is the PReLU branch
 * rshr64(y * A, 15) exactly, and it cannot leave int32 */
static inline int32_t bnn_frq_smmulr(int32_t y, int32_t a17)
{
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(y), "r"(a17));
    return r;
#else
    return (int32_t)(((int64_t)y * (int64_t)a17 + ((int64_t)1 << 31)) >> 32);
#endif
}

/* y >= 0 ? y : sat32(rshr64(y * A, 15)) (saturation only matters for slopes beyond 1.0) */
static inline int32_t bnn_frq_prelu(int32_t y, const bnn_frq_t *c)
{
    return y >= 0 ? y : bnn_sat32(((int64_t)y * (int64_t)c->a + 16384) >> 15);
}

/* The folded transform (bnn_frq_prepare_fold), per channel. Requantize: S >= 32 (the high word of
 * acc * M + rnd, shifted by S - 32) and B folded into the rounding constant, rnd = 2^(S-1) + B 2^S,
 * which is exact when the sum cannot saturate: |acc| <= acc_bound gives
 * |acc M| / 2^S < acc_bound / 2^(S-31), so acc_bound >> (S - 31) + |B| + 2 < 2^31 suffices;
 * B 2^(S-32) must fit the high word too. Nonzero when a channel's S and B do not allow it (S - 32
 * in [0, 30]: larger S takes the general path, rnd needs bits above the high word). */
static inline uint32_t bnn_frq_fold_bad(int s, int32_t b, uint32_t acc_bound)
{
    const uint32_t sh = (uint32_t)(s - 32);
    const uint32_t shc = sh > 30u ? 30u : sh;
    const uint32_t sb = (uint32_t)(b >> 31), ab = ((uint32_t)b ^ sb) - sb;
    return (uint32_t)(sh > 30u) | (ab >> (30u - shc)) | ((((acc_bound >> 1) >> shc) + ab + 2u) >> 31);
}

/* PReLU: nonzero for a "wide" slope, one that A << 17 does not hold (A < -2^14 or A >= 2^14, i.e.
 * slopes of 0.5 or more); the others are one SMMULR by A << 17 (A = -2^14 included: SMMULR by
 * -2^31 is exact). Wide slopes take the 64-bit product (bnn_frq_prelu). */
static inline uint32_t bnn_frq_slope_wide(int32_t a)
{
    return ((uint32_t)a + 16384u) >> 15;
}

/* bnn_frq_prepare_fold's result: every channel's requantize folds (else the caller takes the general
 * transform); with BNN_FOLD_WIDE some PReLU slopes are wide (their a17 is 0: bnn_frq_prelu_fold_any) */
#define BNN_FOLD_OK 1
#define BNN_FOLD_WIDE 2

/* Fills c[0..n) for the folded transform (bnn_frq_requant_fold, and bnn_frq_prelu_fold or, with
 * wide slopes, bnn_frq_prelu_fold_any); returns BNN_FOLD_OK (| BNN_FOLD_WIDE) when every channel
 * passes bnn_frq_fold_bad, else 0. (c[o].b = 0 and c[o].a = A: the general transform of
 * bnn_fastrq.h gives the same results with these.) */
static inline int bnn_frq_prepare_fold(const bnn_requant_t *rq, int n, uint32_t acc_bound, int prelu, bnn_frq_t *c)
{
    uint32_t bad = 0u, wide = 0u;
    for (int o = 0; o < n; ++o) {
        const uint32_t sh = (uint32_t)((int32_t)rq->s[o] - 32), shc = sh > 30u ? 30u : sh;
        const int32_t b = rq->b[o], a = prelu ? rq->a[o] : 0;
        const uint32_t p2 = 1u << shc; /* 2^(S-32) */
        const uint32_t wa = bnn_frq_slope_wide(a);
        bad |= bnn_frq_fold_bad(rq->s[o], b, acc_bound);
        wide |= wa;
        c[o].m = rq->m[o];
        c[o].sh = (int32_t)shc;
        c[o].rnd = (int64_t)(((uint64_t)((p2 >> 1) + (uint32_t)b * p2) << 32) | (uint32_t)(p2 << 31));
        c[o].b = 0;
        c[o].a = a;
        c[o].ls = 0;
        c[o].a17 = wa ? 0 : (int32_t)((uint32_t)a << 17);
    }
    return bad != 0u ? 0 : (wide != 0u ? BNN_FOLD_OK | BNN_FOLD_WIDE : BNN_FOLD_OK);
}

/* sat32(rshr64(acc * M, S) + B) for constants from bnn_frq_prepare_fold (B is in rnd; |acc| within
 * the bound given there) */
static inline int32_t bnn_frq_requant_fold(int32_t acc, const bnn_frq_t *c)
{
    return (int32_t)(((int64_t)acc * c->m + c->rnd) >> 32) >> c->sh;
}

/* PReLU for constants from bnn_frq_prepare_fold without wide slopes (bnn_frq_slope_wide) */
static inline int32_t bnn_frq_prelu_fold(int32_t y, const bnn_frq_t *c)
{
    return y < 0 ? bnn_frq_smmulr(y, c->a17) : y;
}

/* PReLU for constants from bnn_frq_prepare_fold, any slope: SMMULR, or the 64-bit product for a
 * wide slope */
static inline int32_t bnn_frq_prelu_fold_any(int32_t y, const bnn_frq_t *c)
{
    if (y >= 0) {
        return y;
    }
    return bnn_frq_slope_wide(c->a) ? bnn_frq_prelu(y, c) : bnn_frq_smmulr(y, c->a17);
}

/* The Helium kernels' per-channel vector constants from c[0..n) (bnn_frq_prepare): M, the rounding
 * word 2^(S-33) (0 for S == 32), -(S - 32), 1 where S == 32 (the low word's top bit rounds), B and
 * A << 16 (VQRDMULH). Returns 0 at the first channel the vector path cannot take exactly (S < 32,
 * or with PReLU |A| >= 2^15), else 1. */
static inline int bnn_frq_vec_consts(const bnn_frq_t *c, int n, int prelu, int32_t *vm, int32_t *vk, int32_t *vsh,
                                     uint32_t *v32, int32_t *vb, int32_t *va)
{
    for (int o = 0; o < n; ++o, ++c) {
        if ((prelu && (c->a >= 32768 || c->a <= -32768)) || c->sh < 0) {
            return 0;
        }
        vm[o] = c->m;
        vk[o] = c->sh > 0 ? (int32_t)(c->rnd >> 32) : 0;
        vsh[o] = -c->sh;
        v32[o] = c->sh == 0;
        vb[o] = c->b;
        va[o] = (int32_t)((uint32_t)c->a << 16);
    }
    return 1;
}

#endif /* BNN_FASTRQ_H */
