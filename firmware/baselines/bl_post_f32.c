/* bl_post_f32 - folded BatchNorm (scale, bias), PReLU and residual add, in place. */
#include "bl_baselines.h"

void bl_post_f32(float *y, int M, int n, int ld, const float *scale, const float *bias, const float *slope,
                 const float *res)
{
    for (int o = 0; o < M; ++o) {
        const float s = scale[o], b = bias[o], a = slope[o];
        float *r = y + o * ld;
        const float *q = res ? res + o * ld : 0;
        for (int t = 0; t < n; ++t) {
            float v = s * r[t] + b;
            v = v >= 0.0f ? v : a * v;
            r[t] = q ? v + q[t] : v;
        }
    }
}
