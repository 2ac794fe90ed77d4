/* Window PCM samples [first, first + n) of a frame into the FFT buffer, bit-reversed.
 *
 * Sample i of the frame is the real (i even) or imaginary (i odd) part of complex input
 * z[i / 2]; it is stored at z[bitrev[i / 2]] so the FFT runs on bit-reversed input in place.
 * xw = rshr(pcm * window_q15[i], 15 - input_shift): the product fits int32 (|pcm| <= 2^15,
 * window <= 2^15); >> of a negative value is arithmetic with gcc.
 */
#include "bnn_frontend.h"

#define WROUND ((int32_t)1 << (BNN_FE_WINDOW_SHIFT - 1))

void bnn_window_s16(const bnn_frontend_config_t *cfg, const int16_t *pcm, uint32_t first, uint32_t n,
                    int32_t *work) {
    const int32_t *w = cfg->window_q15;
    const uint16_t *rev = cfg->bitrev;
    uint32_t i = first;
    const uint32_t end = first + n;
    if ((i & 1u) && i < end) {
        work[2u * rev[i >> 1] + 1u] = (*pcm++ * w[i] + WROUND) >> BNN_FE_WINDOW_SHIFT;
        ++i;
    }
    for (; i + 1u < end; i += 2u) {
        int32_t *d = work + 2u * rev[i >> 1];
        const int32_t x0 = pcm[0];
        const int32_t x1 = pcm[1];
        d[0] = (x0 * w[i] + WROUND) >> BNN_FE_WINDOW_SHIFT;
        d[1] = (x1 * w[i + 1u] + WROUND) >> BNN_FE_WINDOW_SHIFT;
        pcm += 2;
    }
    if (i < end) {
        work[2u * rev[i >> 1]] = (*pcm * w[i] + WROUND) >> BNN_FE_WINDOW_SHIFT;
    }
}
