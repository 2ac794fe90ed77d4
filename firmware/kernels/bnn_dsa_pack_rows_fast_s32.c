/* bnn_dsa_pack_rows_fast_s32 - bnn_dsa_pack_rows_s32 (same arguments, same results), faster: the
 * row's thresholds are folded once (plane 2 compares against t2 + ONE, minus 2 ONE where plane 1 is
 * negative), values stay in 32 bits where that is exact (thresholds inside +-2^29, values inside
 * +-2^30: the range test is folded into one OR per value and checked once per row; a row that
 * fails it is redone with the portable 64-bit formula), the row's |r| sum is kept in 64 bits in
 * registers, and 8-frame rows (the model's) are unrolled so every bit lands with one shifted OR. */
#include "bnn_kernels_select.h"

#define LIM_T (1 << 29)
#define LIM_X (1u << 30)

/* one value: bit t of w1 / w2, |r| into sum, the range test into `out` (unsigned arithmetic: no
 * overflow for values outside the range either, those rows are redone) */
#define PR_VALUE(v, t)                                                                             \
    do {                                                                                           \
        const uint32_t n1_ = ((uint32_t)(v) - (uint32_t)a) >> 31;                                  \
        const uint32_t r_ = (uint32_t)(v) - (uint32_t)hi + (n1_ << (BNN_Q_ACT + 1));               \
        const uint32_t sg_ = (uint32_t)((int32_t)r_ >> 31);                                        \
        out |= (uint32_t)(v) + LIM_X;                                                              \
        w1 |= n1_ << (t);                                                                          \
        w2 |= (r_ >> 31) << (t);                                                                   \
        sum += (r_ ^ sg_) - sg_;                                                                   \
    } while (0)

static void pack_row_exact(const int32_t *xr, int n_cols, int32_t a, int32_t tt, uint32_t *b1, uint32_t *b2,
                           int64_t *s)
{
    uint32_t w1 = 0u, w2 = 0u;
    int64_t sum = 0;
    for (int t = 0; t < n_cols; ++t) {
        const int64_t v = xr[t];
        const int neg1 = (v - a) < 0;
        const int64_t r = v - (neg1 ? -BNN_ONE : BNN_ONE) - tt;
        w1 |= (uint32_t)neg1 << t;
        w2 |= (uint32_t)(r < 0) << t;
        sum += r < 0 ? -r : r;
    }
    *b1 = w1;
    *b2 = w2;
    *s = sum;
}

void bnn_dsa_pack_rows_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    for (int c = 0; c < n_rows; ++c) {
        const int32_t *xr = x + c * n_cols;
        const int32_t a = t1[c], tt = t2[c];
        if (!(a > -LIM_T && a < LIM_T && tt > -LIM_T && tt < LIM_T)) {
            pack_row_exact(xr, n_cols, a, tt, &bits1[c], &bits2[c], &sums[c]);
            continue;
        }
        const int32_t hi = tt + BNN_ONE;
        uint32_t w1 = 0u, w2 = 0u, out = 0u;
        uint64_t sum = 0u;
        if (n_cols == 8) {
            const int32_t v0 = xr[0], v1 = xr[1], v2 = xr[2], v3 = xr[3];
            const int32_t v4 = xr[4], v5 = xr[5], v6 = xr[6], v7 = xr[7];
            PR_VALUE(v0, 0);
            PR_VALUE(v1, 1);
            PR_VALUE(v2, 2);
            PR_VALUE(v3, 3);
            PR_VALUE(v4, 4);
            PR_VALUE(v5, 5);
            PR_VALUE(v6, 6);
            PR_VALUE(v7, 7);
        } else {
            for (int t = 0; t < n_cols; ++t) {
                const int32_t v = xr[t];
                PR_VALUE(v, t);
            }
        }
        if (out & 0x80000000u) { /* a value outside +-2^30: the exact formula */
            pack_row_exact(xr, n_cols, a, tt, &bits1[c], &bits2[c], &sums[c]);
            continue;
        }
        bits1[c] = w1;
        bits2[c] = w2;
        sums[c] = (int64_t)sum;
    }
}
