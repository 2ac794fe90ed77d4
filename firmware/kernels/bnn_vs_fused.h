/* bnn_vs_fused.h - private inline helpers of the fast binary dense / conv kernels (not kernels):
 * one activation vector pair (plane 1 and plane 2 of one frame or one output position) through
 * the vertical sparse counting of bnn_vsparse_common.h and straight into the output transform,
 * without d arrays.
 *
 * With c1, c2 the column counts of output o in plane 1 and 2 (the listed rows' weight bits),
 * cs = colsum[o], g = +1 (minority 1) or -1 (minority 0) per plane and base = n_in - 2 n1:
 * d = base + g (4 c - 2 cs), so
 *     acc = d1 ONE + s2 d2 = K0 + K1 c1 + K2 c2 + K3 cs [+ KC corr],
 *     K0 = base1 ONE + s2 base2, K1 = 4 g1 ONE, K2 = 4 g2 s2, K3 = -2 (g1 ONE + g2 s2),
 * where corr[o] (convolutions at the border) is the part of d that padded taps contributed
 * (both planes alike: a padded activation bit is 0) and KC = -(ONE + s2). Computed modulo 2^32:
 * the true acc fits int32 (n_in <= BNN_I32_MAX_IN). The constants come from bnn_frq_prepare_fold:
 * requantize is one SMLAL with the rounding constant (B folded in) and an arithmetic shift, PReLU
 * (`prelu` 1) one SMMULR, or (`prelu` 2, a layer with wide slopes: BNN_FOLD_WIDE) per channel
 * SMMULR or the 64-bit product (bnn_fastrq.h). */
#ifndef BNN_VS_FUSED_H
#define BNN_VS_FUSED_H

#include "bnn_fastrq.h"
#include "bnn_vsparse_common.h"

typedef struct {
    uint32_t k0, k1, k2, k3, kc;
} bnn_vsf_k_t;

/* K0..K3 and KC (above) from the row lists of both planes (base, minority sign) and s2; modulo
 * 2^32, so the Helium kernels take the same words as int32 lanes */
static inline bnn_vsf_k_t bnn_vsf_k_make(bnn_vs_list_t i1, bnn_vs_list_t i2, int32_t s2t)
{
    /* g = +1 or -1 (nm = 0 or -1) */
    const uint32_t g1 = (uint32_t)i1.nm | 1u, g2 = (uint32_t)i2.nm | 1u, s2u = (uint32_t)s2t;
    bnn_vsf_k_t kk;
    kk.k0 = (uint32_t)i1.base * (uint32_t)BNN_ONE + s2u * (uint32_t)i2.base;
    kk.k1 = 4u * g1 * (uint32_t)BNN_ONE;
    kk.k2 = 4u * g2 * s2u;
    kk.k3 = 0u - 2u * (g1 * (uint32_t)BNN_ONE + g2 * s2u);
    kk.kc = 0u - ((uint32_t)BNN_ONE + s2u);
    return kk;
}

/* the caller's scratch (its part of bnn_scratch, bnn_scratch.h) */
typedef struct {
    const uint32_t **list;  /* row list, BNN_VS_LIST_MAX entries (or enough for n_in / 2 rows) */
    const uint32_t *zero;   /* a zero row of out_words words */
    uint32_t (*p1)[8];      /* plane 1 byte lanes, out_words groups */
    const bnn_frq_t *rq;    /* per-output constants (bnn_frq_prepare) */
} bnn_vsf_scratch_t;

static inline int32_t bnn_vsf_out(uint32_t c1, uint32_t c2, int32_t cs, int32_t corr, bnn_vsf_k_t kk,
                                  const bnn_frq_t *c, int prelu, int has_corr)
{
    uint32_t acc = kk.k0 + kk.k1 * c1 + kk.k2 * c2 + kk.k3 * (uint32_t)cs;
    if (has_corr) {
        acc += kk.kc * (uint32_t)corr;
    }
    const int32_t y = bnn_frq_requant_fold((int32_t)acc, c);
    return prelu == 1 ? bnn_frq_prelu_fold(y, c) : (prelu == 2 ? bnn_frq_prelu_fold_any(y, c) : y);
}

/* The `lanes` (<= 32) outputs of one column word: output o0 + o goes to op[o * T] (+ rp[o * T]).
 * Full words are unrolled, except with wide slopes (prelu 2: rare, kept small). */
static inline void bnn_vsf_word(const uint32_t p1[8], const uint32_t p2[8], int lanes, const int16_t *cs,
                                const int16_t *corr, bnn_vsf_k_t kk, int T, int32_t *op, const int32_t *rp,
                                const bnn_frq_t *rq, int prelu, int has_res, int has_corr)
{
    if (lanes == 32 && prelu != 2) {
#pragma GCC unroll 8
        for (int r = 0; r < 8; ++r) {
            const uint32_t b1 = p1[r], b2 = p2[r];
#pragma GCC unroll 4
            for (int m = 0; m < 4; ++m) {
                const int o = 8 * m + r;
                int32_t y = bnn_vsf_out((b1 >> (8 * m)) & 0xffu, (b2 >> (8 * m)) & 0xffu, cs[o],
                                        has_corr ? corr[o] : 0, kk, &rq[o], prelu, has_corr);
                if (has_res) {
                    y = bnn_frq_qadd(y, rp[o * T]);
                }
                op[o * T] = y;
            }
        }
        return;
    }
    for (int o = 0; o < lanes; ++o) {
        const uint32_t sh = 8u * (uint32_t)(o >> 3);
        int32_t y = bnn_vsf_out((p1[o & 7] >> sh) & 0xffu, (p2[o & 7] >> sh) & 0xffu, cs[o],
                                has_corr ? corr[o] : 0, kk, &rq[o], prelu, has_corr);
        if (has_res) {
            y = bnn_frq_qadd(y, rp[o * T]);
        }
        op[o * T] = y;
    }
}

/* One vector pair a1, a2 (n_in bits each) against column-layout weights w (colsum after them):
 * output o to op[o * T]. Returns 0 (nothing written) when a row list needs more than one
 * counting pass. */
static inline int bnn_vsf_frame(const bnn_vsf_scratch_t *sc, const uint32_t *a1, const uint32_t *a2, int n_in,
                                int32_t s2t, const uint32_t *w, const int16_t *colsum, const int16_t *corr,
                                int n_out, int T, int32_t *op, const int32_t *rp, int prelu, int has_res,
                                int has_corr)
{
    const int out_words = (n_out + 31) >> 5;
    const bnn_vs_list_t i1 = bnn_vs_build_list(a1, n_in, w, out_words, sc->zero, sc->list);
    if (i1.n > BNN_VS_SEG) {
        return 0;
    }
    for (int k = 0; k < out_words; ++k) {
        BNN_VS_COUNT((const uint32_t *const *)sc->list, i1.n, k, sc->p1[k]);
        bnn_vs_planes_to_bytes(sc->p1[k]);
    }
    const bnn_vs_list_t i2 = bnn_vs_build_list(a2, n_in, w, out_words, sc->zero, sc->list);
    if (i2.n > BNN_VS_SEG) {
        return 0;
    }
    const bnn_vsf_k_t kk = bnn_vsf_k_make(i1, i2, s2t);
    for (int k = 0; k < out_words; ++k) {
        uint32_t p2[8];
        const int lanes = (n_out - 32 * k) < 32 ? (n_out - 32 * k) : 32;
        BNN_VS_COUNT((const uint32_t *const *)sc->list, i2.n, k, p2);
        bnn_vs_planes_to_bytes(p2);
        const size_t off = (size_t)(32 * k) * (size_t)T;
        bnn_vsf_word(sc->p1[k], p2, lanes, colsum + 32 * k, has_corr ? corr + 32 * k : NULL, kk, T, op + off,
                     has_res ? rp + off : NULL, sc->rq + 32 * k, prelu, has_res, has_corr);
    }
    return 1;
}

#endif /* BNN_VS_FUSED_H */
