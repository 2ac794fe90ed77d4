/* bnn_dsa_pack_rows_s32: dual-scale activation bit planes, one word per row (n_cols <= 32). */
#include "bnn_kernels.h"

void bnn_dsa_pack_rows_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                           uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    for (int c = 0; c < n_rows; ++c) {
        const int32_t *xr = x + c * n_cols;
        uint32_t w1 = 0u;
        uint32_t w2 = 0u;
        int64_t sum = 0;
        for (int t = 0; t < n_cols; ++t) {
            const int64_t v = xr[t];
            const int neg1 = (v - t1[c]) < 0;
            const int64_t r = v - (neg1 ? -BNN_ONE : BNN_ONE) - t2[c];
            w1 |= (uint32_t)neg1 << t;
            w2 |= (uint32_t)(r < 0) << t;
            sum += r < 0 ? -r : r;
        }
        bits1[c] = w1;
        bits2[c] = w2;
        sums[c] = sum;
    }
}
