/* bnn_bmm_vsparse_i32 - binary matrix kernel, vertical sparse carry-save algorithm, portable C99.
 *
 * For activation vector a (n_in bits) and column-layout weights wt (see bnn_kernels_select.h):
 *   popcount(a XOR w_o) = n1 + colsum[o] - 2 * S1[o],   S1[o] = sum over {i : a_i = 1} of w_oi
 *                       = n1 - colsum[o] + 2 * S0[o],   S0[o] = sum over {i : a_i = 0} of w_oi
 * (n1 = popcount(a)). The kernel sums whichever set is smaller (at most n_in / 2 rows), so half
 * of the weight words are never touched and no XOR is needed. Row i of wt is one 32-bit word per
 * 32 outputs; the selected rows are added into bit-sliced counters (one bit plane per power of
 * two, 32 outputs per word) with carry-save adders in Harley-Seal order: 15 CSAs (5 logic ops
 * each) per 16 rows. The planes are turned into byte lanes (count of output 8m + r in byte m of
 * B_r) with one AND and one shifted ADD per plane and r, then into d.
 * Bit-exact with bnn_bmm_rows_i32: d[v][o] = n_in - 2 * popcount(a_v XOR w_o).
 */
#include "bnn_kernels_select.h"

#define CSA(h, l, a, b, c)                                                                         \
    do {                                                                                           \
        const uint32_t u_ = (a) ^ (b);                                                             \
        (h) = ((a) & (b)) | (u_ & (c));                                                            \
        (l) = u_ ^ (c);                                                                            \
    } while (0)

#define SEG 240 /* rows per counting segment: counts stay <= 255 (byte lanes) */

static const uint32_t s_zero[BNN_BMM_MAX_OUT / 32];
static const uint32_t *s_list[BNN_BMM_MAX_IN / 2 + 16];
static int32_t s_cnt[32];

static inline uint32_t pop32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

static inline int ctz32(uint32_t x)
{
#if defined(__GNUC__)
    return __builtin_ctz(x); /* rbit + clz on v7-M, one bsf/tzcnt on x86: never a libcall */
#else
    int n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        ++n;
    }
    return n;
#endif
}

/* Count column word k over list[0..n) (n a multiple of 16, at most SEG real rows) into byte lanes
 * b[r] (byte m = count of lane 8m + r). */
static inline void count_bytes(const uint32_t *const *list, int n, int k, uint32_t b[8])
{
    uint32_t ones = 0, twos = 0, fours = 0, eights = 0, h16 = 0, h32 = 0, h64 = 0, h128 = 0;
    for (int j = 0; j < n; j += 16, list += 16) {
        uint32_t tA, tB, fA, fB, eA, eB, s, c;
        CSA(tA, ones, ones, list[0][k], list[1][k]);
        CSA(tB, ones, ones, list[2][k], list[3][k]);
        CSA(fA, twos, twos, tA, tB);
        CSA(tA, ones, ones, list[4][k], list[5][k]);
        CSA(tB, ones, ones, list[6][k], list[7][k]);
        CSA(fB, twos, twos, tA, tB);
        CSA(eA, fours, fours, fA, fB);
        CSA(tA, ones, ones, list[8][k], list[9][k]);
        CSA(tB, ones, ones, list[10][k], list[11][k]);
        CSA(fA, twos, twos, tA, tB);
        CSA(tA, ones, ones, list[12][k], list[13][k]);
        CSA(tB, ones, ones, list[14][k], list[15][k]);
        CSA(fB, twos, twos, tA, tB);
        CSA(eB, fours, fours, fA, fB);
        CSA(s, eights, eights, eA, eB);
        c = h16 & s;
        h16 ^= s;
        s = h32 & c;
        h32 ^= c;
        c = h64 & s;
        h64 ^= s;
        h128 ^= c;
    }
    for (int r = 0; r < 8; ++r) {
        const uint32_t m = 0x01010101u;
        b[r] = ((ones >> r) & m) | (((twos >> r) & m) << 1) | (((fours >> r) & m) << 2) |
               (((eights >> r) & m) << 3) | (((h16 >> r) & m) << 4) | (((h32 >> r) & m) << 5) |
               (((h64 >> r) & m) << 6) | (((h128 >> r) & m) << 7);
    }
}

void bnn_bmm_vsparse_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                         const uint32_t *wt, const int16_t *colsum, int n_out, int32_t *d)
{
    const int in_words = (n_in + 31) >> 5;
    const int out_words = (n_out + 31) >> 5;
    const uint32_t last = (n_in & 31) ? ((1u << (n_in & 31)) - 1u) : 0xffffffffu;
    for (int v = 0; v < n_vec; ++v) {
        const uint32_t *av = a + (size_t)v * a_stride;
        int32_t *dv = d + (size_t)v * (size_t)n_out;
        int n1 = 0;
        for (int k = 0; k < in_words; ++k) {
            n1 += (int)pop32(k == in_words - 1 ? (av[k] & last) : av[k]);
        }
        const uint32_t flip = (2 * n1 > n_in) ? 0xffffffffu : 0u; /* sum the minority rows */
        const int32_t nm = (int32_t)flip;                          /* 0 or -1: sign of the S term */
        const int32_t base = n_in - 2 * n1;
        int n = 0;
        for (int k = 0; k < in_words; ++k) {
            uint32_t m = av[k] ^ flip;
            if (k == in_words - 1) {
                m &= last;
            }
            const uint32_t *row = wt + (size_t)(k * 32) * (size_t)out_words;
            while (m) {
                s_list[n++] = row + (size_t)ctz32(m) * (size_t)out_words;
                m &= m - 1u;
            }
        }
        const int n_sel = n;
        while (n & 15) {
            s_list[n++] = s_zero;
        }
        for (int k = 0; k < out_words; ++k) {
            uint32_t b[8];
            const int16_t *cs = colsum + 32 * k;
            const int lanes = (n_out - 32 * k) < 32 ? (n_out - 32 * k) : 32;
            if (n_sel <= SEG) {
                count_bytes((const uint32_t *const *)s_list, n, k, b);
                int32_t *dk = dv + 32 * k;
                for (int r = 0; r < 8; ++r) {
                    uint32_t br = b[r];
                    for (int o = r; o < lanes; o += 8, br >>= 8) {
                        const int32_t t = 4 * (int32_t)(br & 0xffu) - 2 * cs[o];
                        dk[o] = base + ((t ^ nm) - nm);
                    }
                }
            } else {
                for (int o = 0; o < 32; ++o) {
                    s_cnt[o] = 0;
                }
                for (int j = 0; j < n; j += SEG) {
                    const int len = (n - j) < SEG ? (n - j) : SEG;
                    count_bytes((const uint32_t *const *)s_list + j, len, k, b);
                    for (int r = 0; r < 8; ++r) {
                        for (int mm = 0; mm < 4; ++mm) {
                            s_cnt[8 * mm + r] += (int32_t)((b[r] >> (8 * mm)) & 0xffu);
                        }
                    }
                }
                for (int o = 0; o < lanes; ++o) {
                    const int32_t t = 4 * s_cnt[o] - 2 * cs[o];
                    dv[32 * k + o] = base + ((t ^ nm) - nm);
                }
            }
        }
    }
}
