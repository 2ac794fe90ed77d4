/* Stream PCM into the front end: any chunk size, from 1 sample to the whole clip.
 *
 * Frame t covers samples [t * hop, t * hop + window) of the clip (hop >= window, so frames do
 * not overlap and no sample history is kept): samples are windowed straight into the FFT
 * buffer as they arrive, and a frame is transformed when its last sample arrives. Samples past
 * the last frame are ignored until bnn_frontend_reset(). Returns the number of frames done.
 */
#include "bnn_frontend.h"

int bnn_frontend_push_s16(bnn_frontend_t *fe, const int16_t *pcm, size_t n) {
    const bnn_frontend_config_t *cfg = fe->cfg;
    const uint32_t window = cfg->window;
    const uint32_t hop = cfg->hop;
    uint32_t pos = fe->pos;
    while (n > 0u && fe->frame < cfg->n_frames) {
        if (pos < window) {
            uint32_t m = window - pos;
            if ((size_t)m > n) {
                m = (uint32_t)n;
            }
            bnn_window_s16(cfg, pcm, pos, m, fe->work);
            pos += m;
            pcm += m;
            n -= m;
            if (pos == window) {
                bnn_fft_s32(cfg, fe->work);
                bnn_rfft_power_s32(cfg, fe->work);
                bnn_logmel_frame_s32(cfg, fe->work, fe->features + fe->frame, cfg->n_frames);
                fe->frame += 1u;
                bnn_frontend_zero_padding(fe);
            }
        } else {
            uint32_t m = hop - pos;
            if ((size_t)m > n) {
                m = (uint32_t)n;
            }
            pos += m;
            pcm += m;
            n -= m;
        }
        if (pos == hop) {
            pos = 0;
        }
    }
    fe->pos = pos;
    return (int)fe->frame;
}
