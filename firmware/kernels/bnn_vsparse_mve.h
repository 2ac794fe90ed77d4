/* bnn_vsparse_mve.h - private Helium helpers of the vertical sparse kernels (not kernels): the
 * carry-save count of a row list over four column words (128 outputs per vector) and the 8x8 bit
 * transpose of its planes to byte lanes. Shared by bnn_bmm_vsparse_mve_i32 and the fused path of
 * bnn_bdense_vsparse_s32. Include only where __ARM_FEATURE_MVE is set.
 */
#ifndef BNN_VSPARSE_MVE_H
#define BNN_VSPARSE_MVE_H

#include <arm_mve.h>

#include "bnn_vsparse_common.h"

#define VCSA(h, l, a, b, c)                                                                        \
    do {                                                                                           \
        const uint32x4_t u_ = veorq_u32((a), (b));                                                 \
        (h) = vorrq_u32(vandq_u32((a), (b)), vandq_u32(u_, (c)));                                  \
        (l) = veorq_u32(u_, (c));                                                                  \
    } while (0)

/* Harley-Seal over list[j0 .. j0 + n) (n a multiple of 16), columns k .. k+3 (predicated). */
#if defined(__GNUC__) && !defined(__clang__)
/* Without the instruction scheduler GCC keeps each load next to its adder instead of hoisting all
 * 16 loads of a step and spilling the counters (MVE has 8 Q registers). */
#pragma GCC push_options
#pragma GCC optimize("no-schedule-insns", "no-schedule-insns2")
#define BNN_ALWAYS_INLINE __attribute__((always_inline))
#else
#define BNN_ALWAYS_INLINE
#endif

/* Harley-Seal over list[j0 .. j0 + n) (n a multiple of 16), columns k .. k+3 (predicated unless
 * `full`). Called with constant k and `full` (count_planes_k*), the column offset is the load's
 * immediate and the load needs no VPST. */
static inline BNN_ALWAYS_INLINE void count_planes_body(const uint32_t *const *list, int n, int k,
                                                       mve_pred16_t pred, int full, uint32x4_t p[8])
{
    const uint32x4_t z = vdupq_n_u32(0);
    uint32x4_t ones = z, twos = z, fours = z, eights = z, h16 = z, h32 = z, h64 = z, h128 = z;
#define LD(i) (full ? vldrwq_u32(list[(i)] + k) : vldrwq_z_u32(list[(i)] + k, pred))
    for (int j = 0; j < n; j += 16, list += 16) {
        uint32x4_t tA, tB, fA, fB, eA, eB, s, c;
        VCSA(tA, ones, ones, LD(0), LD(1));
        VCSA(tB, ones, ones, LD(2), LD(3));
        VCSA(fA, twos, twos, tA, tB);
        VCSA(tA, ones, ones, LD(4), LD(5));
        VCSA(tB, ones, ones, LD(6), LD(7));
        VCSA(fB, twos, twos, tA, tB);
        VCSA(eA, fours, fours, fA, fB);
        VCSA(tA, ones, ones, LD(8), LD(9));
        VCSA(tB, ones, ones, LD(10), LD(11));
        VCSA(fA, twos, twos, tA, tB);
        VCSA(tA, ones, ones, LD(12), LD(13));
        VCSA(tB, ones, ones, LD(14), LD(15));
        VCSA(fB, twos, twos, tA, tB);
        VCSA(eB, fours, fours, fA, fB);
        VCSA(s, eights, eights, eA, eB);
        c = vandq_u32(h16, s);
        h16 = veorq_u32(h16, s);
        s = vandq_u32(h32, c);
        h32 = veorq_u32(h32, c);
        c = vandq_u32(h64, s);
        h64 = veorq_u32(h64, s);
        h128 = veorq_u32(h128, c);
    }
#undef LD
    p[0] = ones;
    p[1] = twos;
    p[2] = fours;
    p[3] = eights;
    p[4] = h16;
    p[5] = h32;
    p[6] = h64;
    p[7] = h128;
}

#define BNN_CP_K(K)                                                                                \
    static void count_planes_k##K(const uint32_t *const *list, int n, uint32x4_t p[8])            \
    {                                                                                              \
        count_planes_body(list, n, (K), 0, 1, p);                                                  \
    }
BNN_CP_K(0)
BNN_CP_K(4)
BNN_CP_K(8)
BNN_CP_K(12)
#undef BNN_CP_K

static void count_planes_pred(const uint32_t *const *list, int n, int k, mve_pred16_t pred, uint32x4_t p[8])
{
    count_planes_body(list, n, k, pred, 0, p);
}

/* count_planes_body for columns k .. k+nq-1 (nq <= 4; out_words <= BNN_BMM_MAX_OUT / 32 = 16) */
static inline void count_planes_q(const uint32_t *const *list, int n, int k, int nq, mve_pred16_t pred,
                                  uint32x4_t p[8])
{
    if (nq == 4 && k == 0) {
        count_planes_k0(list, n, p);
    } else if (nq == 4 && k == 4) {
        count_planes_k4(list, n, p);
    } else if (nq == 4 && k == 8) {
        count_planes_k8(list, n, p);
    } else if (nq == 4 && k == 12) {
        count_planes_k12(list, n, p);
    } else {
        count_planes_pred(list, n, k, pred, p);
    }
}

/* 8x8 bit transpose per byte on vectors: byte m of lane q of p[r] = count of output
 * 32 q + 8 m + r (see bnn_vs_planes_to_bytes). */
static inline void planes_to_bytes_q(uint32x4_t p[8])
{
#define QSWAP(a, b, s, msk)                                                                       \
    do {                                                                                           \
        const uint32x4_t t_ =                                                                      \
            vandq_u32(veorq_u32(vshrq_n_u32(p[a], (s)), p[b]), vdupq_n_u32(msk));                  \
        p[b] = veorq_u32(p[b], t_);                                                                \
        p[a] = veorq_u32(p[a], vshlq_n_u32(t_, (s)));                                              \
    } while (0)
    QSWAP(0, 1, 1, 0x55555555u);
    QSWAP(2, 3, 1, 0x55555555u);
    QSWAP(4, 5, 1, 0x55555555u);
    QSWAP(6, 7, 1, 0x55555555u);
    QSWAP(0, 2, 2, 0x33333333u);
    QSWAP(1, 3, 2, 0x33333333u);
    QSWAP(4, 6, 2, 0x33333333u);
    QSWAP(5, 7, 2, 0x33333333u);
    QSWAP(0, 4, 4, 0x0f0f0f0fu);
    QSWAP(1, 5, 4, 0x0f0f0f0fu);
    QSWAP(2, 6, 4, 0x0f0f0f0fu);
    QSWAP(3, 7, 4, 0x0f0f0f0fu);
#undef QSWAP
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

#endif /* BNN_VSPARSE_MVE_H */
