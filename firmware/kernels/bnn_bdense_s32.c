/* bnn_bdense_s32: binary dense per frame (1x1 conv / linear) with XOR-popcount, optional residual. */
#include "bnn_kernels.h"

void bnn_bdense_s32(const uint32_t *bits1, const uint32_t *bits2, int n_in, int n_frames, const int32_t *s2,
                    const uint32_t *w, int n_out, const bnn_requant_t *rq, const int32_t *res, int32_t *out)
{
    const int words = (n_in + 31) / 32;
    for (int o = 0; o < n_out; ++o) {
        const uint32_t *wo = w + o * words;
        for (int t = 0; t < n_frames; ++t) {
            const uint32_t *a1 = bits1 + t * words;
            const uint32_t *a2 = bits2 + t * words;
            int32_t pc1 = 0;
            int32_t pc2 = 0;
            for (int j = 0; j < words; ++j) {
                pc1 += (int32_t)bnn_popcount32(a1[j] ^ wo[j]);
                pc2 += (int32_t)bnn_popcount32(a2[j] ^ wo[j]);
            }
            const int64_t acc = (int64_t)(n_in - 2 * pc1) * BNN_ONE + (int64_t)s2[t] * (n_in - 2 * pc2);
            int32_t y = bnn_requant(acc, rq->m[o], rq->s[o], rq->b[o]);
            if (rq->a != NULL) {
                y = bnn_prelu(y, rq->a[o]);
            }
            if (res != NULL) {
                y = bnn_sat_add32(y, res[o * n_frames + t]);
            }
            out[o * n_frames + t] = y;
        }
    }
}
