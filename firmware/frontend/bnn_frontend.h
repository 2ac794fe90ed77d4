/* Fixed-point log-mel front end: int16 PCM in (streaming, any chunk size), int16 features out.
 *
 * Bit-exact C twin of bifsmn_mcu/frontend/reference.py (the spec). All tables come from a
 * FeatureConfig through bifsmn_mcu/frontend/ctables.py, which emits a const bnn_frontend_config_t.
 * No malloc: the caller provides the state and its buffers (sizes below).
 *
 * Usage:
 *   static int32_t work[BNN_FE_WORK_WORDS(n_fft)];
 *   static int16_t feats[n_mels * n_frames];
 *   static bnn_frontend_t fe;
 *   if (bnn_frontend_init(&fe, &g_kws_fe_config, work, feats) != 0) { ... bad config ... }
 *   bnn_frontend_push_s16(&fe, pcm, n);   (repeat; returns frames done; full when == n_frames)
 *   bnn_frontend_reset(&fe);              (next clip)
 */
#ifndef BNN_FRONTEND_H
#define BNN_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

/* Fixed-point shifts compiled into the kernels (immediate shifts are cheaper on Cortex-M);
 * bnn_frontend_init() refuses a config whose values differ. */
#ifndef BNN_FE_TWIDDLE_BITS
#define BNN_FE_TWIDDLE_BITS 30
#endif
#ifndef BNN_FE_WINDOW_SHIFT /* 15 - input_shift */
#define BNN_FE_WINDOW_SHIFT 11
#endif
#ifndef BNN_FE_POWER_SHIFT
#define BNN_FE_POWER_SHIFT 16
#endif

/* Largest window: the kernels keep 4 * (FFT values) in int32 (|Z| < window/2 * 2^19.5 for int16
 * input, so 8 |Z| < 2^31 needs window <= 720). */
#define BNN_FE_MAX_WINDOW 720u

/* Words of int32 work memory for an n_fft-point front end: n_fft/2 complex FFT values, reused
 * in place for n_fft/2 + 1 power values (two uint32 words each). */
#define BNN_FE_WORK_WORDS(n_fft) ((n_fft) + 2)

#define BNN_FE_OK 0
#define BNN_FE_ERR_CONFIG (-1)

typedef struct {
    uint16_t window;         /* samples per frame */
    uint16_t hop;            /* samples between frame starts (>= window) */
    uint16_t n_fft;          /* real FFT size (power of two) */
    uint16_t n_mels;         /* bands */
    uint16_t n_frames;       /* frames per clip */
    uint16_t window_shift;   /* 15 - input_shift */
    uint16_t twiddle_bits;   /* twiddle Q format */
    uint16_t power_shift;    /* rshr of Re^2 + Im^2 */
    uint16_t log_frac_bits;  /* feature Q format */
    uint16_t log_table_bits; /* log2 table has 2^bits + 1 entries */
    uint32_t energy_floor;   /* added to every band energy */
    const int32_t *window_q15;  /* [window] */
    const int32_t *fft_cos;     /* [n_fft/4]: cos(2 pi k / (n_fft/2)) */
    const int32_t *fft_sin;     /* [n_fft/4] */
    const int32_t *split_cos;   /* [n_fft/2 + 1]: cos(2 pi k / n_fft) */
    const int32_t *split_sin;   /* [n_fft/2 + 1] */
    const uint16_t *bitrev;     /* [n_fft/2]: bit-reversed index */
    const uint16_t *mel_start;  /* [n_mels]: first FFT bin of the band */
    const uint16_t *mel_len;    /* [n_mels]: bins in the band */
    const uint16_t *mel_offset; /* [n_mels]: index of the band's first weight in mel_weights */
    const uint16_t *mel_weights; /* Q15 weights 0..32768, bands concatenated */
    const int32_t *log2_table;  /* [2^log_table_bits + 1]: round(2^16 log2(1 + i / 2^bits)) */
} bnn_frontend_config_t;

typedef struct {
    const bnn_frontend_config_t *cfg;
    int32_t *work;      /* BNN_FE_WORK_WORDS(n_fft) words */
    int16_t *features;  /* n_mels * n_frames, mel-major: features[m * n_frames + t] */
    uint32_t pos;       /* sample position inside the current hop */
    uint32_t frame;     /* frames done */
} bnn_frontend_t;

int bnn_frontend_init(bnn_frontend_t *fe, const bnn_frontend_config_t *cfg, int32_t *work,
                      int16_t *features);
void bnn_frontend_reset(bnn_frontend_t *fe);
int bnn_frontend_push_s16(bnn_frontend_t *fe, const int16_t *pcm, size_t n);

/* Building blocks (one per file). */
void bnn_frontend_zero_padding(bnn_frontend_t *fe);
void bnn_window_s16(const bnn_frontend_config_t *cfg, const int16_t *pcm, uint32_t first, uint32_t n,
                    int32_t *work);
void bnn_fft_s32(const bnn_frontend_config_t *cfg, int32_t *z);
void bnn_rfft_power_s32(const bnn_frontend_config_t *cfg, int32_t *work);
void bnn_logmel_frame_s32(const bnn_frontend_config_t *cfg, int32_t *work, int16_t *out, uint32_t stride);
int32_t bnn_ilog2_q8_s64(uint64_t e, const int32_t *table, uint32_t table_bits, uint32_t frac_bits);

#endif /* BNN_FRONTEND_H */
