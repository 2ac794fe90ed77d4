/* bnn_bmm_vsparse_mve_i32 - the vertical sparse carry-save binary matrix kernel on Helium (MVE,
 * Cortex-M55): same algorithm and result as bnn_bmm_vsparse_i32.
 *
 * One 128-bit vector holds four column words (128 outputs) of a weight row, so every carry-save
 * adder (VEOR/VAND/VORR) advances 128 counters at once; the row list is built by the scalar code
 * shared with the other variants. The 8 bit planes become byte lanes by the same 8x8 bit transpose
 * done on vectors (VSHR/VSHL/VEOR/VAND), then d is written four outputs per scatter store.
 * MVE has no vector popcount (no VCNT); none is needed here.
 */
#include "bnn_kernels_select.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include "bnn_vsparse_mve.h"
#include "bnn_scratch.h"

#define SCR (bnn_scratch.bmm) /* this kernel's scratch (bnn_scratch.h) */

static const uint32_t s_zero[BNN_BMM_MAX_OUT / 32 + 4];

/* d for 128 outputs (four full groups) from vector byte lanes, four outputs per instruction. */
static inline void write_d_q(const uint32x4_t p[8], const int16_t *cs, bnn_vs_list_t info, int32_t *d)
{
    const uint32x4_t lane32 = vmulq_n_u32(vidupq_n_u32(0, 1), 32u);
    const int32x4_t base = vdupq_n_s32(info.base);
    for (int r = 0; r < 8; ++r) {
        for (int m = 0; m < 4; ++m) {
            const uint32x4_t off = vaddq_n_u32(lane32, (uint32_t)(8 * m + r));
            const int32x4_t cnt =
                vreinterpretq_s32_u32(vandq_u32(vshlq_u32(p[r], vdupq_n_s32(-8 * m)), vdupq_n_u32(0xffu)));
            const int32x4_t c = vldrhq_gather_shifted_offset_s32(cs, off);
            const int32x4_t t = vsubq_s32(vshlq_n_s32(cnt, 2), vshlq_n_s32(c, 1));
            const int32x4_t y = info.nm ? vsubq_s32(base, t) : vaddq_s32(base, t);
            vstrwq_scatter_shifted_offset_s32(d, off, y);
        }
    }
}

void bnn_bmm_vsparse_mve_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                             const uint32_t *wt, const int16_t *colsum, int n_out, int32_t *d)
{
    if (bnn_vs_too_big(n_in, n_out)) {
        bnn_vs_slow(a, a_stride, n_vec, n_in, wt, n_out, d);
        return;
    }
    const int out_words = (n_out + 31) >> 5;
    for (int v = 0; v < n_vec; ++v) {
        const bnn_vs_list_t info =
            bnn_vs_build_list(a + (size_t)v * a_stride, n_in, wt, out_words, s_zero, SCR.list);
        int32_t *dv = d + (size_t)v * (size_t)n_out;
        for (int k = 0; k < out_words; k += 4) {
            const int nq = (out_words - k) < 4 ? (out_words - k) : 4;
            const mve_pred16_t pred = vctp32q((uint32_t)nq);
            uint32x4_t p[8];
            uint32_t b[8][4];
            if (info.n <= BNN_VS_SEG) {
                count_planes_q((const uint32_t *const *)SCR.list, info.n, k, nq, pred, p);
                planes_to_bytes_q(p);
                if (nq == 4 && n_out - 32 * k >= 128) {
                    write_d_q(p, colsum + 32 * k, info, dv + 32 * k);
                    continue;
                }
                for (int r = 0; r < 8; ++r) {
                    vst1q_u32(b[r], p[r]);
                }
                for (int q = 0; q < nq; ++q) {
                    uint32_t bq[8];
                    const int lanes = (n_out - 32 * (k + q)) < 32 ? (n_out - 32 * (k + q)) : 32;
                    for (int r = 0; r < 8; ++r) {
                        bq[r] = b[r][q];
                    }
                    bnn_vs_write_d(bq, lanes, colsum + 32 * (k + q), info, dv + 32 * (k + q));
                }
            } else {
                int32_t cnt[4][32] = {{0}};
                for (int j = 0; j < info.n; j += BNN_VS_SEG) {
                    const int len = (info.n - j) < BNN_VS_SEG ? (info.n - j) : BNN_VS_SEG;
                    count_planes_q((const uint32_t *const *)SCR.list + j, len, k, nq, pred, p);
                    planes_to_bytes_q(p);
                    for (int r = 0; r < 8; ++r) {
                        vst1q_u32(b[r], p[r]);
                    }
                    for (int q = 0; q < nq; ++q) {
                        uint32_t bq[8];
                        for (int r = 0; r < 8; ++r) {
                            bq[r] = b[r][q];
                        }
                        bnn_vs_add_bytes(bq, cnt[q]);
                    }
                }
                for (int q = 0; q < nq; ++q) {
                    const int lanes = (n_out - 32 * (k + q)) < 32 ? (n_out - 32 * (k + q)) : 32;
                    bnn_vs_write_d_counts(cnt[q], lanes, colsum + 32 * (k + q), info, dv + 32 * (k + q));
                }
            }
        }
    }
}
#endif
