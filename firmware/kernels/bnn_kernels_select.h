/* bnn_kernels_select.h - optimised binary matrix kernels and their per-core selection.
 *
 * Binary "1x1" layers (proj, fc1, fc2) compute, for every activation vector v (one bit plane of
 * one frame) and every output o:
 *     d[v][o] = n_in - 2 * popcount(a_v XOR w_o)          (sum of +-1 products, SPEC 5)
 *
 * The fast kernels use a transposed weight layout ("column layout"): row i (one input) holds
 * out_words = ceil(n_out / 32) uint32 words, bit j of word k = sign bit of W[32 k + j][i]
 * (1 = negative, LSB first, padding bits 0). colsum[o] = number of negative weights of output o.
 * With that layout one 32-bit word serves 32 outputs, and only the rows where the activation
 * has its minority bit value are summed, into bit-sliced (vertical) counters with carry-save
 * adders (Harley-Seal); see bnn_bmm_vsparse_i32.c.
 *
 * Activations: vector v starts at a + v * a_stride (uint32 words), n_in bits LSB first,
 * padding bits 0. Output: d[v * n_out + o], int32.
 *
 * Selection by compiler feature macro (never by board):
 *   __ARM_FEATURE_MVE  -> bnn_bmm_vsparse_mve_i32 (Helium gathers, 4 vectors per instruction)
 *   Thumb-2 M profile  -> bnn_bmm_vsparse_v7m_i32 (assembly counting loop, M3/M4/M7/M33)
 *   otherwise          -> bnn_bmm_vsparse_i32 (portable C99, host and anything else)
 * bnn_bmm_fast_i32 names the selected one.
 */
#ifndef BNN_KERNELS_SELECT_H
#define BNN_KERNELS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "bnn_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest n_in / n_out the fast kernels accept (scratch sizes, bnn_scratch.h; above them they take
 * slower exact paths). The model's widest binary dense layer has 256 outputs; 512 leaves room for
 * wider models and costs bnn_bdense_vsparse_s32's scratch, the largest member of the shared union,
 * 8 KB (M3/M4/M7/M33) or 16.5 KB (Helium) of static RAM over 256. */
#define BNN_BMM_MAX_IN 1024
#define BNN_BMM_MAX_OUT 512

/* Straightforward definition with inline SWAR popcount, row-major weights
 * (w + o * in_words), the reference the fast kernels must equal. */
void bnn_bmm_rows_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                      const uint32_t *w, int n_out, int32_t *d);

/* Vertical sparse carry-save kernel, portable C99 (column-layout weights). */
void bnn_bmm_vsparse_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                         const uint32_t *wt, const int16_t *colsum, int n_out, int32_t *d);

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
/* Same result, Helium: four activation vectors per gather, 128 counter lanes per instruction. */
void bnn_bmm_vsparse_mve_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                             const uint32_t *wt, const int16_t *colsum, int n_out, int32_t *d);
#define bnn_bmm_fast_i32 bnn_bmm_vsparse_mve_i32
#define BNN_BMM_FAST_NAME "vsparse_mve"
#elif defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
/* Same result, Thumb-2 assembly counting loop (Cortex-M3/M4/M7/M33). */
void bnn_bmm_vsparse_v7m_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                             const uint32_t *wt, const int16_t *colsum, int n_out, int32_t *d);
#define bnn_bmm_fast_i32 bnn_bmm_vsparse_v7m_i32
#define BNN_BMM_FAST_NAME "vsparse_v7m"
#else
#define bnn_bmm_fast_i32 bnn_bmm_vsparse_i32
#define BNN_BMM_FAST_NAME "vsparse"
#endif

/* Binary dense per frame: bnn_bdense_s32's arguments and results, `w` in the fast layout
 * (column words, then int16 colsum; see bnn_bdense_vsparse_s32.c). */
void bnn_bdense_vsparse_s32(const uint32_t *bits1, const uint32_t *bits2, int n_in, int n_frames,
                            const int32_t *s2, const uint32_t *w, int n_out, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out);

/* bnn_dsa_pack_cols_s32's arguments and results, faster (32-bit path where exact). */
void bnn_dsa_pack_cols_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums);

/* bnn_conv2d_s8's arguments and results, faster (padded int16 image, SMLAD pairs). `in` needs only
 * int16 alignment: word loads of pixel pairs only from word-aligned rows (no unaligned access). */
void bnn_conv2d_fast_s8(const int16_t *in, int in_h, int in_w, int32_t in_offset, const int8_t *q, int out_c,
                        int k, int stride, int pad, const bnn_requant_t *rq, int32_t *out);

/* bnn_bdwconv1d_s32's arguments and results, faster (per-frame masks, popcount table). */
void bnn_bdwconv1d_fast_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                            const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out);

/* bnn_bconv2d_s32's arguments and results, faster (<= 16 channels: both planes in one word). */
void bnn_bconv2d_fast_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                          int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                          const bnn_requant_t *rq, int32_t *out);

/* bnn_bconv2d_s32's arguments and results, `w` in the fast conv layout (the portable words first,
 * then column words, colsum and per-tap negative counts; see bnn_bconv2d_vsparse_s32.c): each
 * output position's receptive field through the vertical sparse carry-save count. */
void bnn_bconv2d_vsparse_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                             int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                             const bnn_requant_t *rq, int32_t *out);

/* bnn_dense_s8's arguments and results, faster (int16 input once, SMLALD on DSP cores). */
void bnn_dense_fast_s8(const int32_t *x, int n_in, int in_shift, const int8_t *q, int n_out,
                       const bnn_requant_t *rq, int32_t *out);

/* bnn_dsa_pack_rows_s32's arguments and results, faster (32-bit path where exact). */
void bnn_dsa_pack_rows_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums);

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
/* Helium: four columns per vector (falls back to the scalar fast kernel when not exact in 32 bits). */
void bnn_dsa_pack_cols_mve_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                               uint32_t *bits1, uint32_t *bits2, int64_t *sums);
#define bnn_dsa_pack_cols_sel_s32 bnn_dsa_pack_cols_mve_s32
/* Helium: four channels per vector (scalar fast kernel for what the vector path cannot take).
 * Not selected: on the model's memory layers (k 5, 8 frames) the scalar fast kernel, with each
 * channel's constants in registers, runs fewer instructions on M55 (bench: 311 k vs 336 k). */
void bnn_bdwconv1d_mve_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                           const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                           const int32_t *res, int32_t *out);
#define bnn_bdwconv1d_sel_s32 bnn_bdwconv1d_fast_s32
/* Helium: four output channels per vector (scalar fast kernel otherwise). */
void bnn_bconv2d_mve_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                         int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                         const bnn_requant_t *rq, int32_t *out);
#define bnn_bconv2d_sel_s32 bnn_bconv2d_mve_s32
#else
#define bnn_bconv2d_sel_s32 bnn_bconv2d_vsparse_s32
#define bnn_dsa_pack_cols_sel_s32 bnn_dsa_pack_cols_fast_s32
#define bnn_bdwconv1d_sel_s32 bnn_bdwconv1d_fast_s32
#endif

#ifdef __cplusplus
}
#endif

#endif /* BNN_KERNELS_SELECT_H */
