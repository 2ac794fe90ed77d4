/* bnn_dsa_pack_rows_fast_s32 - bnn_dsa_pack_rows_s32 (same arguments, same results), faster: the
 * row's thresholds are folded once (plane 2 compares against t2 -+ ONE), values stay in 32 bits
 * where that is exact (thresholds inside +-2^29 and values inside +-2^30, else the portable 64-bit
 * formula), and the row's |r| sum is kept in 64 bits in registers. */
#include "bnn_kernels_select.h"

#define LIM_T (1 << 29)
#define LIM_X (1u << 30)

void bnn_dsa_pack_rows_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    for (int c = 0; c < n_rows; ++c) {
        const int32_t *xr = x + c * n_cols;
        const int32_t a = t1[c], tt = t2[c];
        uint32_t w1 = 0u, w2 = 0u;
        int64_t sum = 0;
        uint32_t inside = 1u;
        for (int t = 0; t < n_cols; ++t) {
            inside &= (uint32_t)xr[t] + LIM_X < 2u * LIM_X;
        }
        if (inside && a > -LIM_T && a < LIM_T && tt > -LIM_T && tt < LIM_T) {
            /* branch-free: n1 = sign of x - t1; r = x - (t2 + ONE) + 2 ONE n1 */
            const int32_t hi = tt + BNN_ONE;
            uint32_t s32lo = 0u, s32hi = 0u;
            for (int t = 0; t < n_cols; ++t) {
                const int32_t v = xr[t];
                const uint32_t n1 = (uint32_t)(v - a) >> 31;
                const int32_t r = v - hi + (int32_t)(n1 << (BNN_Q_ACT + 1));
                const int32_t sg = r >> 31;
                const uint32_t ar = (uint32_t)((r ^ sg) - sg);
                w1 |= n1 << t;
                w2 |= ((uint32_t)r >> 31) << t;
                s32lo += ar;
                s32hi += s32lo < ar; /* carry */
            }
            sum = (int64_t)(((uint64_t)s32hi << 32) | s32lo);
        } else {
            for (int t = 0; t < n_cols; ++t) {
                const int64_t v = xr[t];
                const int neg1 = (v - a) < 0;
                const int64_t r = v - (neg1 ? -BNN_ONE : BNN_ONE) - tt;
                w1 |= (uint32_t)neg1 << t;
                w2 |= (uint32_t)(r < 0) << t;
                sum += r < 0 ? -r : r;
            }
        }
        bits1[c] = w1;
        bits2[c] = w2;
        sums[c] = sum;
    }
}
