/* bl_gemm8_f32 - float matrix x 8-column block, 2 output rows x 8 columns of accumulators
 * (16 FPU registers), each X row loaded once per 2 weight rows. */
#include "bl_baselines.h"

void bl_gemm8_f32(const float *W, int M, int K, const float *X, float *Y, int ldy)
{
    int o = 0;
    for (; o + 1 < M; o += 2) {
        const float *w0 = W + o * K;
        const float *w1 = w0 + K;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        float b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
        const float *x = X;
        for (int k = 0; k < K; ++k, x += 8) {
            const float u = w0[k], v = w1[k];
            a0 += u * x[0]; a1 += u * x[1]; a2 += u * x[2]; a3 += u * x[3];
            a4 += u * x[4]; a5 += u * x[5]; a6 += u * x[6]; a7 += u * x[7];
            b0 += v * x[0]; b1 += v * x[1]; b2 += v * x[2]; b3 += v * x[3];
            b4 += v * x[4]; b5 += v * x[5]; b6 += v * x[6]; b7 += v * x[7];
        }
        float *y0 = Y + o * ldy;
        float *y1 = y0 + ldy;
        y0[0] = a0; y0[1] = a1; y0[2] = a2; y0[3] = a3; y0[4] = a4; y0[5] = a5; y0[6] = a6; y0[7] = a7;
        y1[0] = b0; y1[1] = b1; y1[2] = b2; y1[3] = b3; y1[4] = b4; y1[5] = b5; y1[6] = b6; y1[7] = b7;
    }
    for (; o < M; ++o) {
        const float *w0 = W + o * K;
        float a[8] = {0};
        for (int k = 0; k < K; ++k) {
            for (int t = 0; t < 8; ++t) {
                a[t] += w0[k] * X[k * 8 + t];
            }
        }
        for (int t = 0; t < 8; ++t) {
            Y[o * ldy + t] = a[t];
        }
    }
}
