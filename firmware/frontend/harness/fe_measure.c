/* Entry point for exact instruction counts (bifsmn_mcu.measure, unicorn): one whole clip.
 *
 * fe_run_clip(pcm, n, chunk) resets the front end, pushes n samples in chunks of `chunk`
 * (0 = all at once) and returns the frames done; the features are in the static array
 * fe_features (n_mels * n_frames int16, mel-major). fe_setup() runs once first.
 */
#include "bnn_frontend.h"
#include "fe_frontend_tables.h"

static int32_t work[FE_FE_WORK_WORDS];
int16_t fe_features[FE_FE_FEATURE_SIZE];
static bnn_frontend_t fe;

int fe_setup(void) {
    return bnn_frontend_init(&fe, &g_fe_fe_config, work, fe_features);
}

int fe_run_clip(const int16_t *pcm, uint32_t n, uint32_t chunk) {
    int frames = 0;
    uint32_t done = 0;
    bnn_frontend_reset(&fe);
    while (done < n) {
        uint32_t m = (chunk == 0u || chunk > n - done) ? n - done : chunk;
        frames = bnn_frontend_push_s16(&fe, pcm + done, m);
        done += m;
    }
    return frames;
}
