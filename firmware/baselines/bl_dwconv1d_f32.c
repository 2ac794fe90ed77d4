/* bl_dwconv1d_f32 - depthwise conv1d over frames with zero padding. */
#include "bl_baselines.h"

void bl_dwconv1d_f32(const float *x, int C, int T, const float *w, int k, int pad, float *out)
{
    for (int c = 0; c < C; ++c) {
        for (int t = 0; t < T; ++t) {
            float a = 0.0f;
            for (int j = 0; j < k; ++j) {
                const int s = t + j - pad;
                if (s >= 0 && s < T) {
                    a += w[c * k + j] * x[c * T + s];
                }
            }
            out[c * T + t] = a;
        }
    }
}
