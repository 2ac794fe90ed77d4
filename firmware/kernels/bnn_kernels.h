/*
 * bnn_kernels.h - portable C99 reference kernels of the bifsmn-mcu integer network.
 *
 * The numpy integer reference (bifsmn_mcu/model/intref.py) is the spec: every kernel here
 * computes exactly the same integers. Conventions (SPEC.md section 5):
 *   - activations are int32 in Q16 (BNN_ONE = 65536), stored channel-major: x[c * n_cols + t];
 *   - binary values are packed into uint32 words, LSB first, bit 1 = negative, padding bits 0;
 *   - a +-1 dot product over n valid bits is  n - 2 * popcount((a ^ w) & valid);
 *   - requantize: y = sat32(rshr(acc * M[o], S[o]) + B[o]) with an int64 product, 1 <= S <= 62;
 *   - PReLU: y >= 0 ? y : sat32(rshr(y * A[o], 15)) (A in Q15; a slope above 1 can saturate);
 *   - residual adds saturate to int32.
 * One kernel per file, named bnn_<op>[_<variant>]_<dtype>. Optimised Cortex-M variants are chosen
 * by compiler feature macros (__ARM_FEATURE_DSP, __ARM_FEATURE_MVE) next to these, never instead.
 * Right shifts of negative values are arithmetic (gcc and clang on every supported target).
 */
#ifndef BNN_KERNELS_H
#define BNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Activation format; the generated model checks that it matches the model IR's. With at most 400
 * binary inputs, d1 * BNN_ONE + s2 * d2 stays inside int32 (400 * (2^16 + 2^22) < 2^31). */
#define BNN_Q_ACT 16
#define BNN_ONE (1 << BNN_Q_ACT)
#define BNN_S2_MAX (1 << 22) /* the DSA scale s2 saturates here (64.0; bounds every accumulator) */
#define BNN_Q_SLOPE 15       /* PReLU slopes A */

/* ---- inline helpers (shared by the kernels; not kernels themselves) ---- */

/* SWAR popcount of a 32-bit word: no __builtin_popcount, so no libgcc call on Cortex-M0/M3. */
static inline uint32_t bnn_popcount32(uint32_t v)
{
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0Fu;
    return (v * 0x01010101u) >> 24;
}

static inline int32_t bnn_sat32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

/* (x + 2^(n-1)) >> n, 1 <= n <= 62; the caller keeps |x| + 2^(n-1) inside int64. */
static inline int64_t bnn_rshr64(int64_t x, int n)
{
    return (x + ((int64_t)1 << (n - 1))) >> n;
}

/* sat32(rshr(acc * m, s) + b) */
static inline int32_t bnn_requant(int64_t acc, int32_t m, int8_t s, int32_t b)
{
    return bnn_sat32(bnn_rshr64(acc * (int64_t)m, s) + (int64_t)b);
}

static inline int32_t bnn_prelu(int32_t y, int32_t a)
{
    return y >= 0 ? y : bnn_sat32(bnn_rshr64((int64_t)y * (int64_t)a, BNN_Q_SLOPE));
}

static inline int32_t bnn_sat_add32(int32_t a, int32_t b)
{
    return bnn_sat32((int64_t)a + (int64_t)b);
}

/* ---- kernels ---- */

/* Per-channel output transform shared by the binary kernels (arrays indexed by output channel). */
typedef struct {
    const int32_t *m; /* multiplier M */
    const int8_t *s;  /* shift S, 1..62 */
    const int32_t *b; /* bias B, Q12 */
    const int32_t *a; /* PReLU slope A, Q15; NULL = no PReLU */
} bnn_requant_t;

/*
 * int8 conv2d on one int16 input plane with an integer offset:
 * acc[o,y,x] = sum_{valid taps} q[o, ky*k + kx] * (in[iy*in_w + ix] - in_offset), then
 * requantize + PReLU. out is (out_c, out_h, out_w) with out_h = (in_h + 2 pad - k) / stride + 1.
 */
void bnn_conv2d_s8(const int16_t *in, int in_h, int in_w, int32_t in_offset, const int8_t *q, int out_c,
                   int k, int stride, int pad, const bnn_requant_t *rq, int32_t *out);

/*
 * Dual-scale activation, packed per column: x is (n_rows, n_cols) channel-major; for each column
 * t the n_rows bits of plane 1 (x - t1[row] < 0) and plane 2 (x - b1 - t2[row] < 0) go to
 * bits1/bits2[t * words + ...], words = ceil(n_rows / 32); sums[t] = sum over rows |r| (int64).
 */
void bnn_dsa_pack_cols_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                           uint32_t *bits1, uint32_t *bits2, int64_t *sums);

/*
 * Dual-scale activation, packed per row (n_cols <= 32): bits1/bits2[row] hold the n_cols bits of
 * that row; sums[row] = sum over the row |r|. Used by the depthwise memory block.
 */
void bnn_dsa_pack_rows_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                           uint32_t *bits1, uint32_t *bits2, int64_t *sums);

/*
 * DSA scale from |r| sums: pool == 0: s2[i] = min((sums[i] + count/2) / count, BNN_S2_MAX) for
 * i < n; pool != 0: one s2[0] over all n sums with count = n * group_count.
 */
void bnn_dsa_scale_s64(const int64_t *sums, int n, int32_t group_count, int pool, int32_t *s2);

/*
 * Binary conv2d, input channels <= 32 packed per position: bits*[iy * in_w + ix] (one word), weights
 * w[o * k*k + ky*k + kx] (one word, same channel bits). acc = d1 * ONE + s2 * d2 over valid taps,
 * requantize + PReLU into out (out_c, out_h, out_w).
 */
void bnn_bconv2d_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                     int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                     const bnn_requant_t *rq, int32_t *out);

/*
 * Binary dense per frame (1x1 conv / linear): bits*[t * words + j] with words = ceil(n_in / 32),
 * w[o * words + j], s2[t] per frame. out[o * n_frames + t] = PReLU(requant(acc)) (+ res, saturating,
 * when res != NULL; res may be out: each output reads only its own residual).
 */
void bnn_bdense_s32(const uint32_t *bits1, const uint32_t *bits2, int n_in, int n_frames, const int32_t *s2,
                    const uint32_t *w, int n_out, const bnn_requant_t *rq, const int32_t *res, int32_t *out);

/*
 * Binary depthwise conv1d over frames (n_frames <= 32, k <= 32): bits*[c] hold the frames of
 * channel c, w[c] its k taps (bit j = tap j, frame t + j - pad), s2[c] per channel.
 * out[c * n_frames + t] = PReLU(requant(acc)) (+ res, saturating, when res != NULL; res may be out).
 */
void bnn_bdwconv1d_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                       const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                       const int32_t *res, int32_t *out);

/*
 * int8 dense on int32 Q12 input read as int16 Q8: v = clamp(rshr(x, in_shift), -32768, 32767),
 * acc[o] = sum q[o * n_in + i] * v[i] (int64), out[o] = requant(acc) (rq->a ignored when NULL).
 */
void bnn_dense_s8(const int32_t *x, int n_in, int in_shift, const int8_t *q, int n_out,
                  const bnn_requant_t *rq, int32_t *out);

/* Index of the first maximum of x[0..n). */
int bnn_argmax_s32(const int32_t *x, int n);

#endif /* BNN_KERNELS_H */
