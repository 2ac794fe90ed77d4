/* bl_baselines.h - float32 and int8 baselines of the BiFSMNv2 network (same layers and shapes as
 * the binary model, non-binary weights), for `bifsmn-mcu bench`. Written the way a CMSIS-DSP /
 * CMSIS-NN user would: blocked matrix kernels (2 rows x 8 frames of float accumulators; int8 with
 * SMLAD dual 16-bit MACs on SXTB16-expanded pairs where the core has the DSP extension), folded
 * BN, im2col for the convolutions, static memory. Model data: bl_model_data.h (generated). */
#ifndef BL_BASELINES_H
#define BL_BASELINES_H

#include <stdint.h>

/* ---- float32 ---- */
/* Y[o * ldy + t] = sum_k W[o * K + k] * X[k * 8 + t], o < M, t < 8 (8 columns). */
void bl_gemm8_f32(const float *W, int M, int K, const float *X, float *Y, int ldy);
/* y[o] = b[o] + sum_k W[o * K + k] * x[k] */
void bl_gemv_f32(const float *W, int M, int K, const float *x, const float *b, float *y);
/* y = scale[o] * y + bias[o]; PReLU (slope[o]); + res when res != 0; rows of n values, stride ld. */
void bl_post_f32(float *y, int M, int n, int ld, const float *scale, const float *bias, const float *slope,
                 const float *res);
/* im2col of a (C, H, W) float image for 8 consecutive output positions starting at p0:
 * col[(c * k * k + ky * k + kx) * 8 + j], zero padding. */
void bl_im2col8_f32(const float *img, int C, int H, int W, int k, int stride, int pad, int out_w, int p0,
                    float *col);
/* depthwise conv1d over T frames, k taps, pad: out[c * T + t] = sum_j w[c * k + j] * x[c * T + t + j - pad] */
void bl_dwconv1d_f32(const float *x, int C, int T, const float *w, int k, int pad, float *out);
int bl_net_f32(const int16_t *features, float *logits);

/* ---- int8 ---- */
/* Y[t * ldy + o] = requant(sum_k W[o * K + k] * X[t * K + k]) for t < N, o < M (K multiple of 4):
 * acc -> rshr(acc * mult[o], shift) + bias[o], PReLU slope (Q15, 0 = none), clamp to int8. */
void bl_gemm_s8(const int8_t *W, int M, int K, const int8_t *X, int N, int8_t *Y, int ldy,
                const int32_t *mult, int shift, const int32_t *bias, const int16_t *slope);
/* im2col of a (C, H, W) int8 image for one output position p: col[(c * k * k + ky * k + kx)], padded to K. */
void bl_im2col_s8(const int8_t *img, int C, int H, int W, int k, int stride, int pad, int out_w, int p,
                  int K, int8_t *col);
int bl_net_s8(const int16_t *features, int32_t *logits);

#endif /* BL_BASELINES_H */
