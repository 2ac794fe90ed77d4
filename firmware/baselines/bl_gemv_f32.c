/* bl_gemv_f32 - float matrix-vector, 4 rows at a time, 4 inputs per step (16 accumulations per x load of 4). */
#include "bl_baselines.h"

void bl_gemv_f32(const float *W, int M, int K, const float *x, const float *b, float *y)
{
    int o = 0;
    for (; o + 3 < M; o += 4) {
        const float *w0 = W + o * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int k = 0; k < K; ++k) {
            const float v = x[k];
            a0 += w0[k] * v;
            a1 += w1[k] * v;
            a2 += w2[k] * v;
            a3 += w3[k] * v;
        }
        y[o] = a0 + b[o];
        y[o + 1] = a1 + b[o + 1];
        y[o + 2] = a2 + b[o + 2];
        y[o + 3] = a3 + b[o + 3];
    }
    for (; o < M; ++o) {
        float a = 0;
        for (int k = 0; k < K; ++k) {
            a += W[o * K + k] * x[k];
        }
        y[o] = a + b[o];
    }
}
