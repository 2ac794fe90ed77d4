/* Power spectrum -> one column of log-mel features.
 *
 * work holds P[k] as (low, high) uint32 pairs (bnn_rfft_power_s32). Band m:
 * E = energy_floor + sum_i P[start + i] * w[i] (exact in 64 bits, as reference.mel_energies),
 * computed as sum(low * w) in uint64 plus (sum(high * w)) << 32. The high sum fits 32 bits: by
 * Parseval, sum_k P[k] <= n_fft * window * 2^24 for int16 input (< 2^45 for n_fft <= 4096,
 * window <= 720), so sum(high) < 2^13 and w <= 2^15. out[m * stride] = ilog2(E).
 */
#include "bnn_frontend.h"

void bnn_logmel_frame_s32(const bnn_frontend_config_t *cfg, int32_t *work, int16_t *out, uint32_t stride) {
    const uint32_t *pw = (const uint32_t *)work;
    const uint32_t n_mels = cfg->n_mels;
    for (uint32_t m = 0; m < n_mels; ++m) {
        const uint32_t *p = pw + 2u * cfg->mel_start[m];
        const uint16_t *w = cfg->mel_weights + cfg->mel_offset[m];
        const uint32_t len = cfg->mel_len[m];
        uint64_t acc = cfg->energy_floor;
        uint32_t hacc = 0;
        for (uint32_t i = 0; i < len; ++i) {
            const uint32_t wi = w[i];
            acc += (uint64_t)p[2u * i] * wi;
            hacc += p[2u * i + 1u] * wi;
        }
        acc += (uint64_t)hacc << 32;
        out[m * stride] = (int16_t)bnn_ilog2_q8_s64(acc, cfg->log2_table, cfg->log_table_bits, cfg->log_frac_bits);
    }
}
