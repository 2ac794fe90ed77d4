/* bl_gemm_s8 - int8 x int8 matrix kernel, 2 weight rows x 2 input columns per step. On cores with
 * the DSP extension (M4/M7/M33/M55): 4 int8 per 32-bit load, SXTB16 (and SXTB16 with ROR #8,
 * folded by inline asm) expands them to two 16-bit pairs, SMLAD does two MACs per instruction
 * (CMSIS-NN style). Plain C elsewhere (M3). */
#include <string.h>

#include "bl_baselines.h"
#include "bl_requant_s8.h"

#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
static inline uint32_t ld32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
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
static inline int32_t smlad(uint32_t a, uint32_t b, int32_t acc)
{
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
#endif

void bl_gemm_s8(const int8_t *W, int M, int K, const int8_t *X, int N, int8_t *Y, int ldy,
                const int32_t *mult, int shift, const int32_t *bias, const int16_t *slope)
{
    int o = 0;
    for (; o + 1 < M; o += 2) {
        const int8_t *w0 = W + o * K;
        const int8_t *w1 = w0 + K;
        int t = 0;
        for (; t + 1 < N; t += 2) {
            const int8_t *x0 = X + t * K;
            int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
            const int8_t *xp = x0, *wp = w0;
            const int8_t *const end = x0 + K;
            while (xp < end) {
                const uint32_t xv0 = ld32(xp), xv1 = ld32(xp + K);
                const uint32_t x0a = sxtb16(xv0), x0b = sxtb16_ror8(xv0);
                const uint32_t x1a = sxtb16(xv1), x1b = sxtb16_ror8(xv1);
                uint32_t wv = ld32(wp), wa = sxtb16(wv), wb = sxtb16_ror8(wv);
                a00 = smlad(wb, x0b, smlad(wa, x0a, a00));
                a01 = smlad(wb, x1b, smlad(wa, x1a, a01));
                wv = ld32(wp + K);
                wa = sxtb16(wv);
                wb = sxtb16_ror8(wv);
                a10 = smlad(wb, x0b, smlad(wa, x0a, a10));
                a11 = smlad(wb, x1b, smlad(wa, x1a, a11));
                xp += 4;
                wp += 4;
            }
#else
            for (int k = 0; k < K; ++k) {
                a00 += w0[k] * x0[k];
                a01 += w0[k] * x0[K + k];
                a10 += w1[k] * x0[k];
                a11 += w1[k] * x0[K + k];
            }
#endif
            Y[t * ldy + o] = bl_requant_s8(a00, mult[o], shift, bias[o], slope[o]);
            Y[(t + 1) * ldy + o] = bl_requant_s8(a01, mult[o], shift, bias[o], slope[o]);
            Y[t * ldy + o + 1] = bl_requant_s8(a10, mult[o + 1], shift, bias[o + 1], slope[o + 1]);
            Y[(t + 1) * ldy + o + 1] = bl_requant_s8(a11, mult[o + 1], shift, bias[o + 1], slope[o + 1]);
        }
        for (; t < N; ++t) {
            int32_t a0 = 0, a1 = 0;
            for (int k = 0; k < K; ++k) {
                a0 += w0[k] * X[t * K + k];
                a1 += w1[k] * X[t * K + k];
            }
            Y[t * ldy + o] = bl_requant_s8(a0, mult[o], shift, bias[o], slope[o]);
            Y[t * ldy + o + 1] = bl_requant_s8(a1, mult[o + 1], shift, bias[o + 1], slope[o + 1]);
        }
    }
    for (; o < M; ++o) {
        for (int t = 0; t < N; ++t) {
            int32_t a = 0;
            for (int k = 0; k < K; ++k) {
                a += W[o * K + k] * X[t * K + k];
            }
            Y[t * ldy + o] = bl_requant_s8(a, mult[o], shift, bias[o], slope[o]);
        }
    }
}
