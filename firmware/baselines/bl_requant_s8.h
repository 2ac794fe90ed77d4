/* bl_requant_s8.h - inline int8 output transform shared by the int8 baseline kernels:
 * rshr(acc * mult, 31 + shift) (int64, rounded), + bias, PReLU (Q15 slope), clamp to int8. */
#ifndef BL_REQUANT_S8_H
#define BL_REQUANT_S8_H

#include <stdint.h>

static inline int8_t bl_requant_s8(int32_t acc, int32_t mult, int shift, int32_t bias, int16_t slope)
{
    const int n = 31 + shift;
    int32_t y = (int32_t)(((int64_t)acc * mult + ((int64_t)1 << (n - 1))) >> n) + bias;
    if (y < 0 && slope) {
        y = (y * slope) >> 15;
    }
    return (int8_t)(y > 127 ? 127 : (y < -128 ? -128 : y));
}

#endif /* BL_REQUANT_S8_H */
