/* Real-FFT split step and power spectrum, in place.
 *
 * In: work[0 .. n_fft) = Z, the n_fft/2-point complex FFT of z[n] = x[2n] + j x[2n+1].
 * Out: P[k] = rshr(Re^2 + Im^2, power_shift) of 2 X[k], k = 0 .. n_fft/2, as uint64 split in
 * two uint32 words (low, high) at work[2k], work[2k + 1] (the work buffer has n_fft + 2 words).
 * Bins k and n - k read the same two FFT outputs, so each pair is read before either is written.
 * Twiddle products rshr(a c + b s, 30) are taken as the high word (+ rounding bit) of
 * (4a) c + (4b) s, as in bnn_fft_s32: |a|, |b| < 2^28.5 for int16 input, so 4a fits int32.
 */
#include "bnn_frontend.h"
#include "bnn_frontend_fixed.h"

#if BNN_FE_TWIDDLE_BITS != 30
#error "bnn_rfft_power_s32 is written for Q30 twiddles"
#endif

#define PROUND ((uint64_t)1 << (BNN_FE_POWER_SHIFT - 1))

/* P of the bin with real part xr, imaginary part xi -> dst[0] (low), dst[1] (high) */
static inline void store_power(int32_t xr, int32_t xi, uint32_t *dst) {
    const uint64_t p = ((uint64_t)((int64_t)xr * xr + (int64_t)xi * xi) + PROUND) >> BNN_FE_POWER_SHIFT;
    dst[0] = (uint32_t)p;
    dst[1] = (uint32_t)(p >> 32);
}

/* bin with even part (er, ei) and odd part (orr, oi), both pre-multiplied by 4 for the odd part:
 * X = er + rshr(orr c + oi s, 30), ei + rshr(oi c - orr s, 30) */
static inline void power_bin(int32_t er, int32_t ei, int32_t or4, int32_t oi4, int32_t nor4, int32_t c, int32_t s,
                             uint32_t *dst) {
    const int32_t xr = er + bnn_round_hi_s64((int64_t)or4 * c + (int64_t)oi4 * s);
    const int32_t xi = ei + bnn_round_hi_s64((int64_t)oi4 * c + (int64_t)nor4 * s);
    store_power(xr, xi, dst);
}

void bnn_rfft_power_s32(const bnn_frontend_config_t *cfg, int32_t *work) {
    const uint32_t n = cfg->n_fft >> 1;
    const int32_t *sc = cfg->split_cos;
    const int32_t *ss = cfg->split_sin;
    uint32_t *out = (uint32_t *)work;

    { /* k = 0 and k = n both use Z[0]; k = n / 2 pairs with itself (ei = oi = 0) */
        const uint32_t h = n >> 1;
        const int32_t er0 = 2 * work[0], or0 = 8 * work[1];
        const int32_t erh = 2 * work[2u * h], orh = 8 * work[2u * h + 1u];
        power_bin(er0, 0, or0, 0, -or0, sc[0], ss[0], out);
        power_bin(er0, 0, or0, 0, -or0, sc[n], ss[n], out + 2u * n);
        power_bin(erh, 0, orh, 0, -orh, sc[h], ss[h], out + 2u * h);
    }
    const int32_t *ck = sc + 1, *sk = ss + 1, *cm = sc + n - 1, *sm = ss + n - 1;
    int32_t *pk = work + 2, *pm = work + 2u * (n - 1u);
    for (; pk < pm; pk += 2, pm -= 2) {
        const int32_t ar = pk[0], ai = pk[1];
        const int32_t br = pm[0], bi = pm[1];
        const int32_t er = ar + br, ei = ai - bi;
        const int32_t or4 = (ai + bi) * 4, oi4 = (br - ar) * 4;
        const int32_t nor4 = -or4;
        power_bin(er, ei, or4, oi4, nor4, *ck++, *sk++, (uint32_t *)pk);
        power_bin(er, -ei, or4, -oi4, nor4, *cm--, *sm--, (uint32_t *)pm);
    }
}
