/* Entry point for exact instruction counts (bifsmn_mcu.measure, unicorn): one whole clip.
 *
 * fe_run_clip(pcm, n, chunk, out) resets the front end, pushes n samples in chunks of `chunk`
 * (0 = all at once), copies the n_mels * n_frames features to out and returns the frames done.
 * State and buffers are static (.bss). fe_setup() must run once first (its count is separate).
 */
#include "bnn_frontend.h"
#include "fe_frontend_tables.h"

static int32_t work[FE_FE_WORK_WORDS];
static int16_t feats[FE_FE_FEATURE_SIZE];
static bnn_frontend_t fe;

int fe_setup(void) {
    return bnn_frontend_init(&fe, &g_fe_fe_config, work, feats);
}

int fe_run_clip(const int16_t *pcm, uint32_t n, uint32_t chunk, int16_t *out) {
    int frames = 0;
    uint32_t done = 0;
    bnn_frontend_reset(&fe);
    while (done < n) {
        uint32_t m = (chunk == 0u || chunk > n - done) ? n - done : chunk;
        frames = bnn_frontend_push_s16(&fe, pcm + done, m);
        done += m;
    }
    for (uint32_t i = 0; i < FE_FE_FEATURE_SIZE; ++i) {
        out[i] = feats[i];
    }
    return frames;
}
