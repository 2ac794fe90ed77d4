/* bnn_bconv2d_s32: binary conv2d (XOR-popcount), <= 32 input channels packed per position. */
#include "bnn_kernels.h"

void bnn_bconv2d_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                     int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                     const bnn_requant_t *rq, int32_t *out)
{
    const int out_h = (in_h + 2 * pad - k) / stride + 1;
    const int out_w = (in_w + 2 * pad - k) / stride + 1;
    for (int o = 0; o < out_c; ++o) {
        const uint32_t *wo = w + o * k * k;
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox) {
                int32_t pc1 = 0;
                int32_t pc2 = 0;
                int32_t n_valid = 0;
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = oy * stride + ky - pad;
                    if (iy < 0 || iy >= in_h) {
                        continue;
                    }
                    for (int kx = 0; kx < k; ++kx) {
                        const int ix = ox * stride + kx - pad;
                        if (ix < 0 || ix >= in_w) {
                            continue;
                        }
                        const uint32_t wt = wo[ky * k + kx];
                        pc1 += (int32_t)bnn_popcount32(bits1[iy * in_w + ix] ^ wt);
                        pc2 += (int32_t)bnn_popcount32(bits2[iy * in_w + ix] ^ wt);
                        n_valid += in_c;
                    }
                }
                const int64_t acc = (int64_t)(n_valid - 2 * pc1) * BNN_ONE + (int64_t)s2 * (n_valid - 2 * pc2);
                int32_t y = bnn_requant(acc, rq->m[o], rq->s[o], rq->b[o]);
                if (rq->a != NULL) {
                    y = bnn_prelu(y, rq->a[o]);
                }
                out[(o * out_h + oy) * out_w + ox] = y;
            }
        }
    }
}
