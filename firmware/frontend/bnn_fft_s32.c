/* In-place radix-2 DIT complex FFT of n_fft/2 points, bit-reversed input, natural output.
 *
 * z holds interleaved (re, im) int32. No scaling; each twiddle product is
 * rshr(x, 30), x = br * c + bi * s, exactly as reference.fft_fixed (Q30 twiddles). With
 * y = (4 br) c + (4 bi) s = 4 x (smull + smlal), rshr(x, 30) = (y + 2^31) >> 32 = hi(y) + bit 31
 * of lo(y): no 64-bit shift or add. 4 b fits int32 because |b| < 2^28 for int16 input
 * (|z| <= 2^19.5, growth at most 2^7 before the last stage).
 * Twiddles 1 and -j are exact identities (checked by bnn_frontend_init), so the first two
 * stages and the k = 0 and k = n/4 butterflies of the early stages skip the multiplies.
 */
#include "bnn_frontend.h"
#include "bnn_frontend_fixed.h"

#if BNN_FE_TWIDDLE_BITS != 30
#error "bnn_fft_s32 is written for Q30 twiddles"
#endif

static inline void butterfly(int32_t *p, int32_t *q, int32_t c, int32_t s, int32_t ns) {
    const int32_t ar = p[0], ai = p[1];
    const int32_t br = q[0] * 4, bi = q[1] * 4;
    const int32_t tr = bnn_round_hi_s64((int64_t)br * c + (int64_t)bi * s);
    const int32_t ti = bnn_round_hi_s64((int64_t)bi * c + (int64_t)br * ns);
    p[0] = ar + tr;
    p[1] = ai + ti;
    q[0] = ar - tr;
    q[1] = ai - ti;
}

void bnn_fft_s32(const bnn_frontend_config_t *cfg, int32_t *z) {
    const uint32_t n = cfg->n_fft >> 1;
    int32_t *const zend = z + 2u * n;
    const int32_t *const cos_t = cfg->fft_cos;
    const int32_t *const sin_t = cfg->fft_sin;
    int32_t *p;

    /* stages of length 2 and 4: twiddles 1 and -j only */
    for (p = z; p < zend; p += 8) {
        const int32_t b0r = p[0] + p[2], b0i = p[1] + p[3];
        const int32_t b1r = p[0] - p[2], b1i = p[1] - p[3];
        const int32_t b2r = p[4] + p[6], b2i = p[5] + p[7];
        const int32_t b3r = p[4] - p[6], b3i = p[5] - p[7];
        p[0] = b0r + b2r;
        p[1] = b0i + b2i;
        p[4] = b0r - b2r;
        p[5] = b0i - b2i;
        p[2] = b1r + b3i; /* b1 + b3 * (-j) */
        p[3] = b1i - b3r;
        p[6] = b1r - b3i;
        p[7] = b1i + b3r;
    }

    uint32_t step = n >> 3; /* twiddle index stride n / len, no division (Cortex-M0 has none) */
    for (uint32_t len = 8; len <= n; len <<= 1, step >>= 1) {
        const uint32_t half = len >> 1;
        const uint32_t h2 = 2u * half, l2 = 2u * len;
        if (len * 4u > n) {
            /* few groups (the last two stages): twiddle index inner, every butterfly generic
             * (the exact identities give the same result for k = 0 and k = n/4) */
            for (int32_t *g = z; g < zend; g += l2) {
                const int32_t *ct = cos_t, *st = sin_t;
                for (p = g; p < g + h2; p += 2) {
                    butterfly(p, p + h2, *ct, *st, -*st);
                    ct += step;
                    st += step;
                }
            }
            continue;
        }
        const uint32_t quarter = half >> 1;
        /* j = 0: twiddle 1 */
        for (p = z; p < zend; p += l2) {
            const int32_t ar = p[0], ai = p[1], br = p[h2], bi = p[h2 + 1u];
            p[0] = ar + br;
            p[1] = ai + bi;
            p[h2] = ar - br;
            p[h2 + 1u] = ai - bi;
        }
        /* j = half / 2: twiddle -j */
        for (p = z + 2u * quarter; p < zend; p += l2) {
            const int32_t ar = p[0], ai = p[1], br = p[h2], bi = p[h2 + 1u];
            p[0] = ar + bi;
            p[1] = ai - br;
            p[h2] = ar - bi;
            p[h2 + 1u] = ai + br;
        }
        for (uint32_t j = 1; j < half; ++j) {
            if (j == quarter) {
                continue;
            }
            const int32_t c = cos_t[j * step];
            const int32_t s = sin_t[j * step];
            for (p = z + 2u * j; p < zend; p += l2) {
                butterfly(p, p + h2, c, s, -s);
            }
        }
    }
}
