/* Fixed-point helpers shared by the front-end kernels (internal header). */
#ifndef BNN_FRONTEND_FIXED_H
#define BNN_FRONTEND_FIXED_H

#include <stdint.h>

/* rshr(x, 30) = (x + 2^29) >> 30 from y = 4 x: (y + 2^31) >> 32 = high word of y plus bit 31 of
 * its low word. With Q30 twiddles, y = (4 a) c + (4 b) s is one smull + smlal on Cortex-M4. */
static inline int32_t bnn_round_hi_s64(int64_t y) {
    return (int32_t)(y >> 32) + (int32_t)((uint32_t)y >> 31);
}

#endif /* BNN_FRONTEND_FIXED_H */
