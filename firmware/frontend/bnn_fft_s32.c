/* In-place radix-2 DIT complex FFT of n_fft/2 points, bit-reversed input, natural output.
 *
 * z holds interleaved (re, im) int32. No scaling; each twiddle product is
 * rshr(br * c + bi * s, TB) in int64 exactly as reference.fft_fixed. Twiddles 1 and -j are
 * exact identities (rshr(b * 2^TB, TB) == b, checked by bnn_frontend_init), so the first two
 * stages and the k = 0 and k = n/4 butterflies of later stages skip the multiplies.
 */
#include "bnn_frontend.h"

#define TB BNN_FE_TWIDDLE_BITS
#define TROUND ((int64_t)1 << (TB - 1))

void bnn_fft_s32(const bnn_frontend_config_t *cfg, int32_t *z) {
    const uint32_t n = cfg->n_fft >> 1;
    int32_t *const zend = z + 2u * n;
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

    for (uint32_t len = 8; len <= n; len <<= 1) {
        const uint32_t half = len >> 1;
        const uint32_t quarter = half >> 1;
        const uint32_t step = n / len;
        const uint32_t h2 = 2u * half, l2 = 2u * len;
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
            const int32_t c = cfg->fft_cos[j * step];
            const int32_t s = cfg->fft_sin[j * step];
            const int32_t ns = -s;
            for (p = z + 2u * j; p < zend; p += l2) {
                const int32_t ar = p[0], ai = p[1], br = p[h2], bi = p[h2 + 1u];
                const int32_t tr = (int32_t)(((int64_t)br * c + (int64_t)bi * s + TROUND) >> TB);
                const int32_t ti = (int32_t)(((int64_t)bi * c + (int64_t)br * ns + TROUND) >> TB);
                p[0] = ar + tr;
                p[1] = ai + ti;
                p[h2] = ar - tr;
                p[h2 + 1u] = ai - ti;
            }
        }
    }
}
