/* Real-FFT split step and power spectrum, in place.
 *
 * In: work[0 .. n_fft) = Z, the n_fft/2-point complex FFT of z[n] = x[2n] + j x[2n+1].
 * Out: P[k] = rshr(Re^2 + Im^2, power_shift) of 2 X[k], k = 0 .. n_fft/2, as uint64 split in
 * two uint32 words (low, high) at work[2k], work[2k + 1] (the work buffer has n_fft + 2 words).
 * Bins k and n - k read the same two FFT outputs, so each pair is read before either is written.
 */
#include "bnn_frontend.h"

#define TB BNN_FE_TWIDDLE_BITS
#define TROUND ((int64_t)1 << (TB - 1))
#define PROUND ((uint64_t)1 << (BNN_FE_POWER_SHIFT - 1))

static inline void power_bin(int32_t er, int32_t ei, int32_t orr, int32_t oi, int32_t c, int32_t s,
                             uint32_t *dst) {
    const int32_t xr = er + (int32_t)(((int64_t)orr * c + (int64_t)oi * s + TROUND) >> TB);
    const int32_t xi = ei + (int32_t)(((int64_t)oi * c - (int64_t)orr * s + TROUND) >> TB);
    const uint64_t p = ((uint64_t)((int64_t)xr * xr + (int64_t)xi * xi) + PROUND) >> BNN_FE_POWER_SHIFT;
    dst[0] = (uint32_t)p;
    dst[1] = (uint32_t)(p >> 32);
}

void bnn_rfft_power_s32(const bnn_frontend_config_t *cfg, int32_t *work) {
    const uint32_t n = cfg->n_fft >> 1;
    const int32_t *sc = cfg->split_cos;
    const int32_t *ss = cfg->split_sin;
    uint32_t *out = (uint32_t *)work;

    { /* k = 0 and k = n both use Z[0] */
        const int32_t er = 2 * work[0], orr = 2 * work[1];
        power_bin(er, 0, orr, 0, sc[0], ss[0], out);
        power_bin(er, 0, orr, 0, sc[n], ss[n], out + 2u * n);
    }
    { /* k = n / 2 pairs with itself */
        const uint32_t h = n >> 1;
        const int32_t er = 2 * work[2u * h], orr = 2 * work[2u * h + 1u];
        power_bin(er, 0, orr, 0, sc[h], ss[h], out + 2u * h);
    }
    for (uint32_t k = 1, m = n - 1u; k < m; ++k, --m) {
        const int32_t ar = work[2u * k], ai = work[2u * k + 1u];
        const int32_t br = work[2u * m], bi = work[2u * m + 1u];
        const int32_t er = ar + br, ei = ai - bi, orr = ai + bi, oi = br - ar;
        power_bin(er, ei, orr, oi, sc[k], ss[k], out + 2u * k);
        power_bin(er, -ei, orr, -oi, sc[m], ss[m], out + 2u * m);
    }
}
