/* bnn_bdense_vsparse_s32 - binary dense per frame (1x1 conv / linear), fast variant of
 * bnn_bdense_s32 with the same arguments and the same results, but `w` in the "fast layout":
 *   w[i * out_words + k]  (i < n_in, k < out_words = ceil(n_out / 32)): column words, bit j of
 *                         word k = sign bit of output 32 k + j at input i (1 = negative);
 *   then n_out int16 colsum[o] (negative weights of output o), padded to a whole word.
 * (bifsmn_mcu/bench/kernel_layout.py: pack_bdense_fast.) The dot products of both bit planes of
 * every frame come from bnn_bmm_fast_i32 (vertical sparse carry-save kernel, picked per core by
 * bnn_kernels_select.h); the output transform is bnn_bdense_s32's, computed by bnn_fastrq.h.
 */
#include "bnn_kernels.h"
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"

static int32_t s_d[2][BNN_BMM_MAX_OUT];
static bnn_frq_t s_rq[BNN_BMM_MAX_OUT];

/* One frame's outputs; `fast33`, `prelu` and `res` are constants in each specialised call. */
static inline void transform(int n_out, int n_frames, int32_t s2t, int32_t *op, const int32_t *rp, int fast33,
                             int prelu)
{
    const int32_t *d1 = s_d[0], *d2 = s_d[1];
    const bnn_frq_t *c = s_rq;
    for (int o = 0; o < n_out; ++o, ++c, op += n_frames) {
        /* |d| <= n_in and s2 <= BNN_S2_MAX keep acc inside int32 */
        const int32_t acc = d1[o] * BNN_ONE + s2t * d2[o];
        int32_t y = fast33 ? bnn_frq_requant33(acc, c) : bnn_frq_requant(acc, c);
        if (prelu) {
            y = bnn_frq_prelu(y, c);
        }
        if (rp != NULL) {
            y = bnn_frq_qadd(y, *rp);
            rp += n_frames;
        }
        *op = y;
    }
}

void bnn_bdense_vsparse_s32(const uint32_t *bits1, const uint32_t *bits2, int n_in, int n_frames,
                            const int32_t *s2, const uint32_t *w, int n_out, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out)
{
    const int words = (n_in + 31) / 32;
    const int out_words = (n_out + 31) / 32;
    const int16_t *colsum = (const int16_t *)(w + (size_t)n_in * (size_t)out_words);
    const int prelu = rq->a != NULL;
    const int fast33 = bnn_frq_prepare(rq, n_out, s_rq);
    for (int t = 0; t < n_frames; ++t) {
        bnn_bmm_fast_i32(bits1 + t * words, 0, 1, n_in, w, colsum, n_out, s_d[0]);
        bnn_bmm_fast_i32(bits2 + t * words, 0, 1, n_in, w, colsum, n_out, s_d[1]);
        int32_t *op = out + t;
        const int32_t *rp = res != NULL ? res + t : NULL;
        if (fast33 && prelu && rp == NULL) {
            transform(n_out, n_frames, s2[t], op, NULL, 1, 1);
        } else if (fast33 && rp != NULL) {
            transform(n_out, n_frames, s2[t], op, rp, 1, prelu);
        } else {
            transform(n_out, n_frames, s2[t], op, rp, 0, prelu);
        }
    }
}
