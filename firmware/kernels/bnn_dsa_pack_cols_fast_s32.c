/* bnn_dsa_pack_cols_fast_s32 - bnn_dsa_pack_cols_s32 (same arguments, same results), faster:
 * 32-bit arithmetic where it is exact (every threshold and value inside +-2^29 / +-2^30, checked;
 * anything else takes the 64-bit formula of the portable kernel), plane bits set with a moving
 * bit mask, thresholds for plane 2 folded to t2 -+ ONE, |r| summed on 64 bits in registers. */
#include "bnn_kernels.h"

#define LIM_T (1 << 29)
#define LIM_X (1u << 30)

void bnn_dsa_pack_cols_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    const int words = (n_rows + 31) / 32;
    int safe = 1;
    for (int c = 0; c < n_rows; ++c) {
        safe &= t1[c] > -LIM_T && t1[c] < LIM_T && t2[c] > -LIM_T && t2[c] < LIM_T;
    }
    if (!safe) {
        bnn_dsa_pack_cols_s32(x, n_rows, n_cols, t1, t2, bits1, bits2, sums);
        return;
    }
    for (int t = 0; t < n_cols; ++t) {
        int64_t sum = 0;
        for (int j = 0; j < words; ++j) {
            const int c0 = j * 32;
            const int end = c0 + 32 < n_rows ? c0 + 32 : n_rows;
            uint32_t w1 = 0u, w2 = 0u, bit = 1u;
            const int32_t *xp = x + c0 * n_cols + t;
            for (int c = c0; c < end; ++c, xp += n_cols, bit <<= 1) {
                const int32_t v = *xp;
                if ((uint32_t)v + LIM_X < 2u * LIM_X) {
                    const int neg1 = v < t1[c];
                    const int32_t r = neg1 ? v + BNN_ONE - t2[c] : v - BNN_ONE - t2[c];
                    if (neg1) {
                        w1 |= bit;
                    }
                    if (r < 0) {
                        w2 |= bit;
                        sum -= r;
                    } else {
                        sum += r;
                    }
                } else {
                    const int64_t v64 = v;
                    const int neg1 = (v64 - t1[c]) < 0;
                    const int64_t r = v64 - (neg1 ? -BNN_ONE : BNN_ONE) - t2[c];
                    w1 |= neg1 ? bit : 0u;
                    w2 |= r < 0 ? bit : 0u;
                    sum += r < 0 ? -r : r;
                }
            }
            bits1[t * words + j] = w1;
            bits2[t * words + j] = w2;
        }
        sums[t] = sum;
    }
}
