/* bnn_dsa_scale_s64: the DSA second-plane scale s2 = round-half-up mean |r|, saturated.
 * When the rounded sum and the count fit 32 bits the division is an unsigned 32-bit one (one UDIV
 * on Cortex-M3 and up instead of a 64-bit libgcc division); same quotient. */
#include "bnn_kernels.h"

static int32_t bnn_mean_sat(int64_t sum, int64_t count)
{
    const int64_t num = sum + count / 2;
    const int64_t s = (num <= (int64_t)UINT32_MAX && count <= (int64_t)UINT32_MAX)
                          ? (int64_t)((uint32_t)num / (uint32_t)count)
                          : num / count;
    return s > BNN_S2_MAX ? BNN_S2_MAX : (int32_t)s;
}

void bnn_dsa_scale_s64(const int64_t *sums, int n, int32_t group_count, int pool, int32_t *s2)
{
    if (pool) {
        int64_t total = 0;
        for (int i = 0; i < n; ++i) {
            total += sums[i];
        }
        s2[0] = bnn_mean_sat(total, (int64_t)n * group_count);
        return;
    }
    for (int i = 0; i < n; ++i) {
        s2[i] = bnn_mean_sat(sums[i], group_count);
    }
}
