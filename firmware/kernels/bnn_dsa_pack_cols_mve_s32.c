/* bnn_dsa_pack_cols_mve_s32 - bnn_dsa_pack_cols_s32 (same arguments, same results) on Helium:
 * four columns per vector; per row one VSUB + VSHR gives the plane-1 bits, r = x - (t2 + ONE) +
 * 2 ONE n1 the plane-2 bits (VSHL by the row's bit position, VORR into the column words), VABS +
 * VADD the |r| sums (unsigned lanes). Exact in 32 bits when every |x|, |t1|, |t2| < LIM and
 * n_rows <= 256 (|r| < 2^24, a sum < 2^32), checked first (VMAXAV); otherwise, or for a column
 * count that is
 * not a multiple of 4, the scalar fast kernel runs. */
#include "bnn_kernels_select.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>

#define LIM ((1u << 23) - (1u << 17)) /* |r| < 2 LIM + ONE < 2^24: 256 rows sum below 2^32 */

void bnn_dsa_pack_cols_mve_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                               uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    int ok = (n_cols & 3) == 0 && n_rows <= 256 && n_cols > 0;
    for (int c = 0; ok && c < n_rows; ++c) {
        ok = (uint32_t)(t1[c] + (int32_t)LIM) < 2u * LIM && (uint32_t)(t2[c] + (int32_t)LIM) < 2u * LIM;
    }
    if (ok) {
        uint32_t mx = 0u;
        const int n = n_rows * n_cols;
        for (int i = 0; i < n; i += 4) {
            mx = vmaxavq_s32(mx, vldrwq_s32(x + i));
        }
        ok = mx < LIM;
    }
    if (!ok) {
        bnn_dsa_pack_cols_fast_s32(x, n_rows, n_cols, t1, t2, bits1, bits2, sums);
        return;
    }
    const int words = (n_rows + 31) / 32;
    const uint32x4_t col_off = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)words);
    for (int tb = 0; tb < n_cols; tb += 4) {
        uint32x4_t acc = vdupq_n_u32(0);
        for (int j = 0; j < words; ++j) {
            const int c0 = j * 32;
            const int end = c0 + 32 < n_rows ? c0 + 32 : n_rows;
            uint32x4_t w1 = vdupq_n_u32(0), w2 = vdupq_n_u32(0);
            const int32_t *xp = x + c0 * n_cols + tb;
            for (int c = c0; c < end; ++c, xp += n_cols) {
                const int32x4_t v = vldrwq_s32(xp);
                const uint32x4_t n1 = vshrq_n_u32(vreinterpretq_u32_s32(vsubq_n_s32(v, t1[c])), 31);
                const int32x4_t r = vaddq_s32(vsubq_n_s32(v, t2[c] + BNN_ONE),
                                              vreinterpretq_s32_u32(vshlq_n_u32(n1, BNN_Q_ACT + 1)));
                const uint32x4_t n2 = vshrq_n_u32(vreinterpretq_u32_s32(r), 31);
                w1 = vorrq_u32(w1, vshlq_r_u32(n1, c - c0));
                w2 = vorrq_u32(w2, vshlq_r_u32(n2, c - c0));
                acc = vaddq_u32(acc, vreinterpretq_u32_s32(vabsq_s32(r)));
            }
            vstrwq_scatter_shifted_offset_u32(bits1 + tb * words + j, col_off, w1);
            vstrwq_scatter_shifted_offset_u32(bits2 + tb * words + j, col_off, w2);
        }
        sums[tb] = (int64_t)vgetq_lane_u32(acc, 0);
        sums[tb + 1] = (int64_t)vgetq_lane_u32(acc, 1);
        sums[tb + 2] = (int64_t)vgetq_lane_u32(acc, 2);
        sums[tb + 3] = (int64_t)vgetq_lane_u32(acc, 3);
    }
}
#endif
