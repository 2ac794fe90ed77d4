/* feature[m][t] = min(32767, (sum |x[500 t + i]| for i < 480, i % 32 == m) >> 4);
 * logits[k] = sum_i feature[i] * (((i * 7 + k * 13) % 5) - 2) + path * (k + 1); label = first argmax. */
#include <string.h>

#include "fakekws.h"

static const char *const s_widths[2] = {"1/2", "1/8"};
static int s_path;

int fakekws_set_width(const char *width)
{
    int i;
    for (i = 0; i < 2; ++i) {
        if (strcmp(width, s_widths[i]) == 0) {
            s_path = i;
            return 0;
        }
    }
    return -1;
}

const char *fakekws_width(void) { return s_widths[s_path]; }

static int32_t s_acc[FAKEKWS_N_MELS * FAKEKWS_N_FRAMES];
static int16_t s_feat[FAKEKWS_N_MELS * FAKEKWS_N_FRAMES];
static uint32_t s_pos;

void fakekws_init(void) { fakekws_frontend_reset(); }

void fakekws_frontend_reset(void)
{
    size_t i;
    for (i = 0; i < sizeof s_acc / sizeof s_acc[0]; ++i) {
        s_acc[i] = 0;
        s_feat[i] = 0;
    }
    s_pos = 0;
}

int fakekws_frontend_push(const int16_t *pcm, size_t n)
{
    size_t j;
    int done = 0;
    for (j = 0; j < n && s_pos < FAKEKWS_CLIP_SAMPLES; ++j, ++s_pos) {
        uint32_t t = s_pos / 500u, off = s_pos % 500u;
        int32_t x = pcm[j];
        if (t < FAKEKWS_N_FRAMES && off < 480u) {
            s_acc[(off % 32u) * FAKEKWS_N_FRAMES + t] += x < 0 ? -x : x;
        }
    }
    for (j = 0; j < FAKEKWS_N_FRAMES; ++j) {
        if (500u * j + 480u <= s_pos) {
            size_t m;
            for (m = 0; m < FAKEKWS_N_MELS; ++m) {
                int32_t v = s_acc[m * FAKEKWS_N_FRAMES + j] >> 4;
                s_feat[m * FAKEKWS_N_FRAMES + j] = (int16_t)(v > 32767 ? 32767 : v);
            }
            done++;
        }
    }
    return done;
}

const int16_t *fakekws_features(void) { return s_feat; }

int fakekws_infer(const int16_t *features, int32_t *logits)
{
    int k, best = 0;
    size_t i;
    for (k = 0; k < FAKEKWS_N_CLASSES; ++k) {
        int32_t acc = 0;
        for (i = 0; i < (size_t)(FAKEKWS_N_MELS * FAKEKWS_N_FRAMES); ++i) {
            acc += (int32_t)features[i] * (int32_t)((int)((i * 7u + (size_t)k * 13u) % 5u) - 2);
        }
        logits[k] = acc + s_path * (k + 1);
        if (acc > logits[best]) {
            best = k;
        }
    }
    return best;
}
