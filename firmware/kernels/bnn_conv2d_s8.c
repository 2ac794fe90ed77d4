/* bnn_conv2d_s8: int8 conv2d on one int16 plane with an input offset (the network's first layer). */
#include "bnn_kernels.h"

void bnn_conv2d_s8(const int16_t *in, int in_h, int in_w, int32_t in_offset, const int8_t *q, int out_c,
                   int k, int stride, int pad, const bnn_requant_t *rq, int32_t *out)
{
    const int out_h = (in_h + 2 * pad - k) / stride + 1;
    const int out_w = (in_w + 2 * pad - k) / stride + 1;
    for (int o = 0; o < out_c; ++o) {
        const int8_t *qo = q + o * k * k;
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox) {
                int32_t acc = 0;
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
                        acc += (int32_t)qo[ky * k + kx] * ((int32_t)in[iy * in_w + ix] - in_offset);
                    }
                }
                int32_t y = bnn_requant(acc, rq->m[o], rq->s[o], rq->b[o]);
                if (rq->a != NULL) {
                    y = bnn_prelu(y, rq->a[o]);
                }
                out[(o * out_h + oy) * out_w + ox] = y;
            }
        }
    }
}
