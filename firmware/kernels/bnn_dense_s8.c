/* bnn_dense_s8: int8 dense on int32 Q12 activations read as int16 Q8 (the classifier). */
#include "bnn_kernels.h"

void bnn_dense_s8(const int32_t *x, int n_in, int in_shift, const int8_t *q, int n_out,
                  const bnn_requant_t *rq, int32_t *out)
{
    for (int o = 0; o < n_out; ++o) {
        const int8_t *qo = q + o * n_in;
        int64_t acc = 0;
        for (int i = 0; i < n_in; ++i) {
            int64_t v = bnn_rshr64(x[i], in_shift);
            v = v > 32767 ? 32767 : (v < -32768 ? -32768 : v);
            acc += (int64_t)qo[i] * v;
        }
        int32_t y = bnn_requant(acc, rq->m[o], rq->s[o], rq->b[o]);
        if (rq->a != NULL) {
            y = bnn_prelu(y, rq->a[o]);
        }
        out[o] = y;
    }
}
