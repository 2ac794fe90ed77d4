/* bnn_bmm_rows_i32 - binary matrix kernel by its definition (row-major weights).
 * d[v][o] = n_in - 2 * popcount((a_v XOR w_o) & valid), inline SWAR popcount (no libcall).
 * The reference that every optimised variant is tested against. */
#include "bnn_kernels_select.h"

static inline uint32_t pop32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

void bnn_bmm_rows_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                      const uint32_t *w, int n_out, int32_t *d)
{
    const int in_words = (n_in + 31) >> 5;
    const uint32_t last = (n_in & 31) ? ((1u << (n_in & 31)) - 1u) : 0xffffffffu;
    for (int v = 0; v < n_vec; ++v) {
        const uint32_t *av = a + (size_t)v * a_stride;
        for (int o = 0; o < n_out; ++o) {
            const uint32_t *wo = w + (size_t)o * (size_t)in_words;
            uint32_t cnt = 0;
            for (int k = 0; k < in_words; ++k) {
                uint32_t x = av[k] ^ wo[k];
                if (k == in_words - 1) {
                    x &= last;
                }
                cnt += pop32(x);
            }
            d[(size_t)v * (size_t)n_out + (size_t)o] = n_in - 2 * (int32_t)cnt;
        }
    }
}
