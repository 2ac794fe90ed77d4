/* bnn_dense_fast_s8 - bnn_dense_s8 (same arguments, same results), faster: the int16 input
 * (clamp(rshr(x, in_shift))) is computed once instead of once per output, and on cores with the
 * DSP extension four int8 weights per load are widened by SXTB16 and accumulated on 64 bits with
 * SMLALD (two MACs per instruction, exact like the portable int64 sum), two outputs per pass over
 * the input; the input is stored as (v0, v2), (v1, v3) pairs to match SXTB16's lanes. */
#include <string.h>

#include "bnn_kernels_select.h"
#include "bnn_scratch.h"

#define IN_MAX BNN_DF_IN_MAX

#define SCR (bnn_scratch.dense_fast) /* this kernel's scratch (bnn_scratch.h) */

#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
static inline uint32_t sxtb16(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
    return r;
}
static inline uint32_t sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
static inline int64_t smlald(uint32_t a, uint32_t b, int64_t acc)
{
    uint32_t lo = (uint32_t)acc, hi = (uint32_t)((uint64_t)acc >> 32);
    __asm__("smlald %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(a), "r"(b));
    return (int64_t)(((uint64_t)hi << 32) | lo);
}
#endif

void bnn_dense_fast_s8(const int32_t *x, int n_in, int in_shift, const int8_t *q, int n_out,
                       const bnn_requant_t *rq, int32_t *out)
{
    if (n_in > IN_MAX || (n_in & 3) || in_shift < 1 || in_shift > 31) {
        bnn_dense_s8(x, n_in, in_shift, q, n_out, rq, out);
        return;
    }
    for (int i = 0; i < n_in; ++i) {
        /* rshr(x, s) = (x >> s) + bit s-1 of x: no 64-bit sum needed */
        int32_t v = (x[i] >> in_shift) + ((x[i] >> (in_shift - 1)) & 1);
        v = v > 32767 ? 32767 : (v < -32768 ? -32768 : v);
        /* position in the (v0, v2, v1, v3) order of each group of four */
        const int j = (i & ~3) | ((i & 1) << 1) | ((i & 2) >> 1);
        SCR.v[j] = (int16_t)v;
    }
    int o0 = 0;
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
    for (; o0 + 2 <= n_out; o0 += 2) { /* two outputs share each input load */
        const int8_t *qa = q + o0 * n_in, *qb = qa + n_in;
        int64_t acc_a = 0, acc_b = 0;
        for (int i = 0; i < n_in; i += 4) {
            uint32_t wa, wb, v02, v13;
            memcpy(&wa, qa + i, 4);
            memcpy(&wb, qb + i, 4);
            memcpy(&v02, SCR.v + i, 4);
            memcpy(&v13, SCR.v + i + 2, 4);
            acc_a = smlald(sxtb16(wa), v02, acc_a);
            acc_b = smlald(sxtb16(wb), v02, acc_b);
            acc_a = smlald(sxtb16_ror8(wa), v13, acc_a);
            acc_b = smlald(sxtb16_ror8(wb), v13, acc_b);
        }
        const int64_t accs[2] = {acc_a, acc_b};
        for (int j = 0; j < 2; ++j) {
            const int o = o0 + j;
            int32_t y = bnn_requant(accs[j], rq->m[o], rq->s[o], rq->b[o]);
            if (rq->a != NULL) {
                y = bnn_prelu(y, rq->a[o]);
            }
            out[o] = y;
        }
    }
#endif
    for (int o = o0; o < n_out; ++o) {
        const int8_t *qo = q + o * n_in;
        int64_t acc = 0;
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
        for (int i = 0; i < n_in; i += 4) {
            uint32_t w4, v02, v13;
            memcpy(&w4, qo + i, 4);
            memcpy(&v02, SCR.v + i, 4);
            memcpy(&v13, SCR.v + i + 2, 4);
            acc = smlald(sxtb16(w4), v02, acc);
            acc = smlald(sxtb16_ror8(w4), v13, acc);
        }
#else
        for (int i = 0; i < n_in; i += 4) {
            acc += (int64_t)qo[i] * SCR.v[i] + (int64_t)qo[i + 2] * SCR.v[i + 1] + (int64_t)qo[i + 1] * SCR.v[i + 2] +
                   (int64_t)qo[i + 3] * SCR.v[i + 3];
        }
#endif
        int32_t y = bnn_requant(acc, rq->m[o], rq->s[o], rq->b[o]);
        if (rq->a != NULL) {
            y = bnn_prelu(y, rq->a[o]);
        }
        out[o] = y;
    }
}
