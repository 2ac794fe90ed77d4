/* Host harness for the C front end (used by `bifsmn-mcu verify frontend` and the tests).
 *
 * Reads clips of FE_CLIP_SAMPLES int16 little-endian PCM from stdin until EOF, pushes each one
 * in chunks (sizes from argv[1], comma-separated, cycled; 0 = the whole clip at once) and writes
 * its n_mels * n_frames int16 features (mel-major) to stdout. Exit 2 on bad usage or config,
 * 3 when a clip ends with frames missing, 4 on a truncated clip.
 * Built with the tables of bifsmn_mcu.frontend.ctables.frontend_c_tables(cfg, "fe").
 */
#include <stdio.h>
#include <stdlib.h>

#include "bnn_frontend.h"
#include "fe_frontend_tables.h"

#define FE_CONFIG g_fe_fe_config

#define MAX_CLIP 262144
#define MAX_CHUNKS 64

static int16_t pcm[MAX_CLIP];
static int32_t work[BNN_FE_WORK_WORDS(8192)];
static int16_t feats[65536];

int main(int argc, char **argv) {
    size_t chunks[MAX_CHUNKS];
    size_t n_chunks = 0;
    const char *spec = argc > 1 ? argv[1] : "0";
    const size_t clip = FE_FE_CLIP_SAMPLES;
    bnn_frontend_t fe;
    while (*spec != '\0' && n_chunks < MAX_CHUNKS) {
        char *end;
        chunks[n_chunks++] = (size_t)strtoul(spec, &end, 10);
        spec = *end == ',' ? end + 1 : end;
        if (end == spec && *spec != '\0') {
            return 2;
        }
    }
    if (n_chunks == 0 || clip > MAX_CLIP || FE_CONFIG.n_fft > 8192 ||
        (size_t)FE_CONFIG.n_mels * FE_CONFIG.n_frames > sizeof feats / sizeof feats[0]) {
        return 2;
    }
    if (bnn_frontend_init(&fe, &FE_CONFIG, work, feats) != BNN_FE_OK) {
        fprintf(stderr, "bnn_frontend_init rejected the config\n");
        return 2;
    }
    for (;;) {
        size_t got = fread(pcm, sizeof pcm[0], clip, stdin);
        if (got == 0) {
            break;
        }
        if (got != clip) {
            return 4;
        }
        bnn_frontend_reset(&fe);
        size_t done = 0, c = 0;
        int frames = 0;
        while (done < clip) {
            size_t n = chunks[c++ % n_chunks];
            if (n == 0 || n > clip - done) {
                n = clip - done;
            }
            frames = bnn_frontend_push_s16(&fe, pcm + done, n);
            done += n;
        }
        if (frames != FE_CONFIG.n_frames) {
            return 3;
        }
        fwrite(feats, sizeof feats[0], (size_t)FE_CONFIG.n_mels * FE_CONFIG.n_frames, stdout);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
