/* bnn_bmm_vsparse_i32 - binary matrix kernel, vertical sparse carry-save algorithm, portable C99.
 *
 * For activation vector a (n_in bits) and column-layout weights wt (see bnn_kernels_select.h):
 *   popcount(a XOR w_o) = n1 + colsum[o] - 2 * S1[o],   S1[o] = sum over {i : a_i = 1} of w_oi
 *                       = n1 - colsum[o] + 2 * S0[o],   S0[o] = sum over {i : a_i = 0} of w_oi
 * (n1 = popcount(a)). The kernel sums whichever set is smaller (at most n_in / 2 rows), so half
 * of the weight words are never touched and no XOR is needed. Row i of wt is one 32-bit word per
 * 32 outputs; the selected rows are added into bit-sliced counters (one bit plane per power of
 * two, 32 outputs per word) with carry-save adders in Harley-Seal order: 15 CSAs (5 logic ops
 * each) per 16 rows. The planes are turned into byte lanes (count of output 8m + r in byte m of
 * B_r) with one AND and one shifted ADD per plane and r, then into d.
 * Bit-exact with bnn_bmm_rows_i32: d[v][o] = n_in - 2 * popcount(a_v XOR w_o).
 */
#include "bnn_vsparse_common.h"
#include "bnn_scratch.h"

#define SCR (bnn_scratch.bmm) /* this kernel's scratch (bnn_scratch.h) */

static const uint32_t s_zero[BNN_BMM_MAX_OUT / 32];

void bnn_bmm_vsparse_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
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
        for (int k = 0; k < out_words; ++k) {
            const int lanes = (n_out - 32 * k) < 32 ? (n_out - 32 * k) : 32;
            uint32_t p[8];
            if (info.n <= BNN_VS_SEG) {
                bnn_vs_count_planes_c((const uint32_t *const *)SCR.list, info.n, k, p);
                bnn_vs_planes_to_bytes(p);
                bnn_vs_write_d(p, lanes, colsum + 32 * k, info, dv + 32 * k);
            } else {
                int32_t cnt[32] = {0};
                for (int j = 0; j < info.n; j += BNN_VS_SEG) {
                    const int len = (info.n - j) < BNN_VS_SEG ? (info.n - j) : BNN_VS_SEG;
                    bnn_vs_count_planes_c((const uint32_t *const *)SCR.list + j, len, k, p);
                    bnn_vs_planes_to_bytes(p);
                    bnn_vs_add_bytes(p, cnt);
                }
                bnn_vs_write_d_counts(cnt, lanes, colsum + 32 * k, info, dv + 32 * k);
            }
        }
    }
}
