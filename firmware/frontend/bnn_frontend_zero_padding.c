/* Zero the FFT-buffer slots of samples window .. n_fft - 1 (the zero padding of every frame). */
#include "bnn_frontend.h"

void bnn_frontend_zero_padding(bnn_frontend_t *fe) {
    const bnn_frontend_config_t *cfg = fe->cfg;
    for (uint32_t i = cfg->window; i < cfg->n_fft; ++i) {
        fe->work[2u * cfg->bitrev[i >> 1] + (i & 1u)] = 0;
    }
}
