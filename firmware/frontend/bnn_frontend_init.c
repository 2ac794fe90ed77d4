/* Bind a front end state to its config and caller-provided buffers; check the config. */
#include "bnn_frontend.h"

static int config_ok(const bnn_frontend_config_t *c) {
    const uint32_t n = c->n_fft >> 1u;
    const int32_t one = (int32_t)1 << BNN_FE_TWIDDLE_BITS;
    if (c->n_fft < 16u || (c->n_fft & (c->n_fft - 1u)) != 0u || c->window > c->n_fft || c->window == 0u ||
        c->window > BNN_FE_MAX_WINDOW) {
        return 0;
    }
    if (c->hop < c->window || c->n_mels == 0u || c->n_frames == 0u || c->energy_floor == 0u) {
        return 0; /* overlapping frames (hop < window) are not supported by this streaming design */
    }
    if (c->window_shift != BNN_FE_WINDOW_SHIFT || c->twiddle_bits != BNN_FE_TWIDDLE_BITS ||
        c->power_shift != BNN_FE_POWER_SHIFT) {
        return 0; /* compiled with other fixed-point shifts */
    }
    if (c->log_table_bits == 0u || c->log_table_bits > 15u || c->log_frac_bits == 0u || c->log_frac_bits > 15u) {
        return 0;
    }
    /* the multiply-free butterflies rely on exact twiddles 1 and -j */
    if (c->fft_cos[0] != one || c->fft_sin[0] != 0 || c->fft_cos[n / 4u] != 0 || c->fft_sin[n / 4u] != one) {
        return 0;
    }
    for (uint32_t m = 0; m < c->n_mels; ++m) {
        if (c->mel_len[m] == 0u || (uint32_t)c->mel_start[m] + c->mel_len[m] > n + 1u) {
            return 0;
        }
    }
    return 1;
}

int bnn_frontend_init(bnn_frontend_t *fe, const bnn_frontend_config_t *cfg, int32_t *work,
                      int16_t *features) {
    if (fe == NULL || cfg == NULL || work == NULL || features == NULL || !config_ok(cfg)) {
        return BNN_FE_ERR_CONFIG;
    }
    fe->cfg = cfg;
    fe->work = work;
    fe->features = features;
    for (uint32_t i = 0; i < BNN_FE_WORK_WORDS((uint32_t)cfg->n_fft); ++i) {
        work[i] = 0;
    }
    for (uint32_t i = 0; i < (uint32_t)cfg->n_mels * cfg->n_frames; ++i) {
        features[i] = 0;
    }
    bnn_frontend_reset(fe);
    return BNN_FE_OK;
}
