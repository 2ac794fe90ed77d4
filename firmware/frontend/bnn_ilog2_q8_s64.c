/* Fixed-point log2 of a positive 64-bit value in Q<frac_bits> (8 by default), as reference.ilog2:
 * bit length by CLZ, a 16-bit mantissa, and a linearly interpolated 2^table_bits + 1 entry table
 * of round(2^16 log2(1 + i / 2^table_bits)). e must be > 0 (the energy floor guarantees it).
 */
#include "bnn_frontend.h"

int32_t bnn_ilog2_q8_s64(uint64_t e, const int32_t *table, uint32_t table_bits, uint32_t frac_bits) {
    const int32_t nbit = 63 - __builtin_clzll(e);
    const uint32_t mant = nbit >= 16 ? (uint32_t)(e >> (nbit - 16)) : (uint32_t)e << (16 - nbit);
    const uint32_t f = mant - 65536u;
    const uint32_t sh = 16u - table_bits;
    const uint32_t idx = f >> sh;
    const int32_t frac = (int32_t)(f & ((1u << sh) - 1u));
    const int32_t v = table[idx] + (((table[idx + 1u] - table[idx]) * frac) >> sh);
    return nbit * (1 << frac_bits) + ((v + (1 << (15u - frac_bits))) >> (16u - frac_bits));
}
