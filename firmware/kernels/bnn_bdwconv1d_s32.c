/* bnn_bdwconv1d_s32: binary depthwise conv1d over frames (the D-FSMN memory block), optional residual. */
#include "bnn_kernels.h"

void bnn_bdwconv1d_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                       const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                       const int32_t *res, int32_t *out)
{
    const uint32_t kmask = k >= 32 ? 0xFFFFFFFFu : ((1u << k) - 1u);
    for (int c = 0; c < n_ch; ++c) {
        for (int t = 0; t < n_frames; ++t) {
            /* tap j reads frame t + j - pad: align those frame bits to bit j */
            const int first = t - pad;
            uint32_t valid = kmask;
            uint32_t a1;
            uint32_t a2;
            if (first >= 0) {
                a1 = bits1[c] >> first;
                a2 = bits2[c] >> first;
            } else {
                a1 = bits1[c] << -first;
                a2 = bits2[c] << -first;
                valid &= ~((1u << -first) - 1u);
            }
            if (n_frames - first < 32) {
                valid &= (1u << (n_frames - first)) - 1u; /* taps past the last frame */
            }
            const int32_t n_valid = (int32_t)bnn_popcount32(valid);
            const int32_t pc1 = (int32_t)bnn_popcount32((a1 ^ w[c]) & valid);
            const int32_t pc2 = (int32_t)bnn_popcount32((a2 ^ w[c]) & valid);
            const int64_t acc = (int64_t)(n_valid - 2 * pc1) * BNN_ONE + (int64_t)s2[c] * (n_valid - 2 * pc2);
            int32_t y = bnn_requant(acc, rq->m[c], rq->s[c], rq->b[c]);
            if (rq->a != NULL) {
                y = bnn_prelu(y, rq->a[c]);
            }
            if (res != NULL) {
                y = bnn_sat_add32(y, res[c * n_frames + t]);
            }
            out[c * n_frames + t] = y;
        }
    }
}
