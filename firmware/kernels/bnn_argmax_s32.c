/* bnn_argmax_s32: index of the first maximum. */
#include "bnn_kernels.h"

int bnn_argmax_s32(const int32_t *x, int n)
{
    int best = 0;
    for (int i = 1; i < n; ++i) {
        if (x[i] > x[best]) {
            best = i;
        }
    }
    return best;
}
