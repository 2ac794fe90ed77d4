/* bnn_dsa_pack_cols_s32: dual-scale activation bit planes, packed per column along the rows. */
#include "bnn_kernels.h"

void bnn_dsa_pack_cols_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                           uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    const int words = (n_rows + 31) / 32;
    for (int t = 0; t < n_cols; ++t) {
        int64_t sum = 0;
        for (int j = 0; j < words; ++j) {
            uint32_t w1 = 0u;
            uint32_t w2 = 0u;
            const int end = (j + 1) * 32 < n_rows ? (j + 1) * 32 : n_rows;
            for (int c = j * 32; c < end; ++c) {
                const int64_t v = x[c * n_cols + t];
                const int neg1 = (v - t1[c]) < 0;
                const int64_t r = v - (neg1 ? -BNN_ONE : BNN_ONE) - t2[c];
                w1 |= (uint32_t)neg1 << (c - j * 32);
                w2 |= (uint32_t)(r < 0) << (c - j * 32);
                sum += r < 0 ? -r : r;
            }
            bits1[t * words + j] = w1;
            bits2[t * words + j] = w2;
        }
        sums[t] = sum;
    }
}
