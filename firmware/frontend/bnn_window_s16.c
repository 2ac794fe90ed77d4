/* Window PCM samples [first, first + n) of a frame into the FFT buffer, bit-reversed.
 *
 * Sample i of the frame is the real (i even) or imaginary (i odd) part of complex input
 * z[i / 2]; it is stored at z[bitrev[i / 2]] so the FFT runs on bit-reversed input in place.
 * xw = rshr(pcm * window_q15[i], 15 - input_shift): the product fits int32 (|pcm| <= 2^15,
 * window <= 2^15); >> of a negative value is arithmetic with gcc.
 */
#include "bnn_frontend.h"

void bnn_window_s16(const bnn_frontend_config_t *cfg, const int16_t *pcm, uint32_t first, uint32_t n,
                    int32_t *work) {
    const int32_t *w = cfg->window_q15 + first;
    const uint16_t *rev = cfg->bitrev + (first >> 1);
    /* 2^(window_shift - 1) (window_shift == BNN_FE_WINDOW_SHIFT, checked by bnn_frontend_init); read
     * from the config so that the compiler keeps
     * it in a register and fuses multiply + round into one multiply-accumulate */
    const int32_t rnd = (int32_t)1 << (cfg->window_shift - 1u);
    if ((first & 1u) && n > 0u) { /* odd start: the imaginary half of a pair */
        work[2u * *rev++ + 1u] = (*pcm++ * *w++ + rnd) >> BNN_FE_WINDOW_SHIFT;
        --n;
    }
    for (uint32_t k = n >> 1; k > 0u; --k) {
        int32_t *d = work + 2u * *rev++;
        const int32_t x0 = pcm[0], x1 = pcm[1];
        d[0] = (x0 * w[0] + rnd) >> BNN_FE_WINDOW_SHIFT;
        d[1] = (x1 * w[1] + rnd) >> BNN_FE_WINDOW_SHIFT;
        pcm += 2;
        w += 2;
    }
    if (n & 1u) { /* odd end: the real half of a pair */
        work[2u * *rev] = (*pcm * *w + rnd) >> BNN_FE_WINDOW_SHIFT;
    }
}
