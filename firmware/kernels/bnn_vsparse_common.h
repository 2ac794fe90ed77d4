/* bnn_vsparse_common.h - private inline helpers of the bnn_bmm_vsparse_* kernels (not kernels).
 *
 * Row list: for activation vector a (n_in bits), the rows i of the column-layout weights where a
 * has its minority value (a_i = 1 if popcount(a) <= n_in / 2, else a_i = 0), as row pointers,
 * padded with pointers to a zero row to a multiple of 4 (16 with Helium: BNN_VS_PAD) and
 * ended by a NULL sentinel.
 * With S = column sums of the listed rows, n1 = popcount(a) and cs = colsum[o]:
 *   minority 1:  d = n_in - 2 * popcount(a ^ w_o) = (n_in - 2 n1 - 2 cs) + 4 S
 *   minority 0:  d = (n_in - 2 n1 + 2 cs) - 4 S
 */
#ifndef BNN_VSPARSE_COMMON_H
#define BNN_VSPARSE_COMMON_H

#include "bnn_kernels_select.h"

/* Rows per counting pass: counts stay <= 255 (8 planes, byte lanes). A multiple of 16. */
#define BNN_VS_SEG 240
/* Lists are padded with zero rows to a multiple of BNN_VS_PAD + 1: 4 on Thumb-2 cores without Helium
 * (the assembly and the C count take up to three 4-row groups before their 16-row loop), 16 where
 * the Helium count, which takes 16 rows per step only, may read them. */
#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M') &&                \
    !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define BNN_VS_PAD 3
#else
#define BNN_VS_PAD 15
#endif
/* List capacity: n_in / 2 rows, padding to 16, a sentinel per pass. */
#define BNN_VS_LIST_MAX (BNN_BMM_MAX_IN / 2 + 16 + BNN_BMM_MAX_IN / BNN_VS_SEG + 2)

typedef struct {
    int n_sel;     /* real rows listed */
    int n;         /* rows listed incl. zero padding (multiple of BNN_VS_PAD + 1) */
    int32_t base;  /* n_in - 2 n1 */
    int32_t nm;    /* 0 (minority 1) or -1 (minority 0) */
} bnn_vs_list_t;

static inline uint32_t bnn_vs_pop32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

static inline int bnn_vs_ctz32(uint32_t x)
{
#if defined(__GNUC__)
    return __builtin_ctz(x); /* rbit + clz on v7-M, bsf/tzcnt on x86: never a libcall */
#else
    int n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        ++n;
    }
    return n;
#endif
}

/* Build the row list of one activation vector (list has BNN_VS_LIST_MAX entries). */
static inline bnn_vs_list_t bnn_vs_build_list(const uint32_t *av, int n_in, const uint32_t *wt,
                                              int out_words, const uint32_t *zero_row,
                                              const uint32_t **list)
{
    const int in_words = (n_in + 31) >> 5;
    const uint32_t last = (n_in & 31) ? ((1u << (n_in & 31)) - 1u) : 0xffffffffu;
    int n1 = 0;
    for (int k = 0; k < in_words - 1; ++k) {
        n1 += (int)bnn_vs_pop32(av[k]);
    }
    n1 += (int)bnn_vs_pop32(av[in_words - 1] & last);
    const uint32_t flip = (2 * n1 > n_in) ? 0xffffffffu : 0u;
    const uint32_t **lp = list;
    const uint32_t *row = wt;
    const size_t step = (size_t)out_words;
    for (int k = 0; k < in_words; ++k, row += 32 * step) {
        uint32_t m = av[k] ^ flip;
        if (k == in_words - 1) {
            m &= last;
        }
#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
        /* bit-reversed once: each row is CLZ, MLA, STR and clearing that bit (LSR, EORS), BNE */
        if (m) {
            uint32_t c, ptr;
            __asm__("rbit %[m], %[m]\n"
                    "1:\n"
                    "clz %[c], %[m]\n"
                    "mla %[p], %[c], %[sb], %[rb]\n"
                    "str %[p], [%[lp]], #4\n"
                    "lsr %[c], %[hb], %[c]\n"
                    "eors %[m], %[m], %[c]\n"
                    "bne 1b\n"
                    : [m] "+&r"(m), [lp] "+&r"(lp), [c] "=&r"(c), [p] "=&r"(ptr)
                    : [sb] "r"(4u * (uint32_t)step), [rb] "r"(row), [hb] "r"(0x80000000u)
                    : "cc", "memory");
        }
#else
        while (m) {
            *lp++ = row + (size_t)bnn_vs_ctz32(m) * step;
            m &= m - 1u;
        }
#endif
    }
    bnn_vs_list_t info;
    info.n_sel = (int)(lp - list);
    while ((lp - list) & BNN_VS_PAD) {
        *lp++ = zero_row;
    }
    info.n = (int)(lp - list);
    *lp = NULL;
    info.base = n_in - 2 * n1;
    info.nm = (int32_t)flip;
    return info;
}

#define BNN_VS_CSA(h, l, a, b, c)                                                                         \
    do {                                                                                           \
        const uint32_t u_ = (a) ^ (b);                                                             \
        (h) = ((a) & (b)) | (u_ & (c));                                                            \
        (l) = u_ ^ (c);                                                                            \
    } while (0)

/* Harley-Seal over list[0..n) (n a multiple of 4, at most BNN_VS_SEG real rows), column word k:
 * 8 bit planes p[0..7] (ones, twos, ..., 128s) of the 32 column sums. As the Thumb-2 count, the
 * first (n >> 2) & 3 groups of 4 rows go first (their carry cannot leave the eights plane: at most
 * 12 rows), then 16 rows per step. */
static inline void bnn_vs_count_planes_c(const uint32_t *const *list, int n, int k, uint32_t p[8])
{
    uint32_t ones = 0, twos = 0, fours = 0, eights = 0, h16 = 0, h32 = 0, h64 = 0, h128 = 0;
    for (int g = (n >> 2) & 3; g > 0; --g, list += 4, n -= 4) {
        uint32_t tA, tB, fA;
        BNN_VS_CSA(tA, ones, ones, list[0][k], list[1][k]);
        BNN_VS_CSA(tB, ones, ones, list[2][k], list[3][k]);
        BNN_VS_CSA(fA, twos, twos, tA, tB);
        eights |= fours & fA;
        fours ^= fA;
    }
    for (int j = 0; j < n; j += 16, list += 16) {
        uint32_t tA, tB, fA, fB, eA, eB, s, c;
        BNN_VS_CSA(tA, ones, ones, list[0][k], list[1][k]);
        BNN_VS_CSA(tB, ones, ones, list[2][k], list[3][k]);
        BNN_VS_CSA(fA, twos, twos, tA, tB);
        BNN_VS_CSA(tA, ones, ones, list[4][k], list[5][k]);
        BNN_VS_CSA(tB, ones, ones, list[6][k], list[7][k]);
        BNN_VS_CSA(fB, twos, twos, tA, tB);
        BNN_VS_CSA(eA, fours, fours, fA, fB);
        BNN_VS_CSA(tA, ones, ones, list[8][k], list[9][k]);
        BNN_VS_CSA(tB, ones, ones, list[10][k], list[11][k]);
        BNN_VS_CSA(fA, twos, twos, tA, tB);
        BNN_VS_CSA(tA, ones, ones, list[12][k], list[13][k]);
        BNN_VS_CSA(tB, ones, ones, list[14][k], list[15][k]);
        BNN_VS_CSA(fB, twos, twos, tA, tB);
        BNN_VS_CSA(eB, fours, fours, fA, fB);
        BNN_VS_CSA(s, eights, eights, eA, eB);
        c = h16 & s;
        h16 ^= s;
        s = h32 & c;
        h32 ^= c;
        c = h64 & s;
        h64 ^= s;
        h128 ^= c;
    }
    p[0] = ones;
    p[1] = twos;
    p[2] = fours;
    p[3] = eights;
    p[4] = h16;
    p[5] = h32;
    p[6] = h64;
    p[7] = h128;
}

#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
/* The same count in Thumb-2 assembly (bnn_bmm_vsparse_v7m_i32.c): list[0..n) (n a multiple of 4) then
 * a NULL sentinel; the first n mod 16 rows go in 4-row steps, the rest through the 16-row loop.
 * koff = 4 k (byte offset of the column word). */
void bnn_vs_count_planes_v7m(const uint32_t *const *list, uint32_t koff, uint32_t out[8], int n);
#define BNN_VS_COUNT(list, n, k, p) bnn_vs_count_planes_v7m((list), 4u * (uint32_t)(k), (p), (n))
#else
#define BNN_VS_COUNT(list, n, k, p) bnn_vs_count_planes_c((list), (n), (k), (p))
#endif

/* 8 bit planes (p[k] bit j = bit k of the count of lane j) -> byte lanes in place:
 * afterwards byte m of p[r] is the count of lane 8 m + r (an 8x8 bit transpose per byte). */
static inline void bnn_vs_planes_to_bytes(uint32_t p[8])
{
#define BNN_VS_SWAP(a, b, s, msk)                                                                 \
    do {                                                                                           \
        const uint32_t t_ = ((p[a] >> (s)) ^ p[b]) & (msk);                                        \
        p[b] ^= t_;                                                                                \
        p[a] ^= t_ << (s);                                                                         \
    } while (0)
    BNN_VS_SWAP(0, 1, 1, 0x55555555u);
    BNN_VS_SWAP(2, 3, 1, 0x55555555u);
    BNN_VS_SWAP(4, 5, 1, 0x55555555u);
    BNN_VS_SWAP(6, 7, 1, 0x55555555u);
    BNN_VS_SWAP(0, 2, 2, 0x33333333u);
    BNN_VS_SWAP(1, 3, 2, 0x33333333u);
    BNN_VS_SWAP(4, 6, 2, 0x33333333u);
    BNN_VS_SWAP(5, 7, 2, 0x33333333u);
    BNN_VS_SWAP(0, 4, 4, 0x0f0f0f0fu);
    BNN_VS_SWAP(1, 5, 4, 0x0f0f0f0fu);
    BNN_VS_SWAP(2, 6, 4, 0x0f0f0f0fu);
    BNN_VS_SWAP(3, 7, 4, 0x0f0f0f0fu);
#undef BNN_VS_SWAP
}

/* d[o] for the `lanes` outputs of one 32-output group from byte lanes b (see planes_to_bytes). */
static inline void bnn_vs_write_d(const uint32_t b[8], int lanes, const int16_t *cs, bnn_vs_list_t info,
                                  int32_t *d)
{
    if (lanes == 32) {
        if (info.nm == 0) {
            for (int r = 0; r < 8; ++r) {
                const uint32_t br = b[r];
                d[r] = info.base - 2 * cs[r] + 4 * (int32_t)(br & 0xffu);
                d[r + 8] = info.base - 2 * cs[r + 8] + 4 * (int32_t)((br >> 8) & 0xffu);
                d[r + 16] = info.base - 2 * cs[r + 16] + 4 * (int32_t)((br >> 16) & 0xffu);
                d[r + 24] = info.base - 2 * cs[r + 24] + 4 * (int32_t)(br >> 24);
            }
        } else {
            for (int r = 0; r < 8; ++r) {
                const uint32_t br = b[r];
                d[r] = info.base + 2 * cs[r] - 4 * (int32_t)(br & 0xffu);
                d[r + 8] = info.base + 2 * cs[r + 8] - 4 * (int32_t)((br >> 8) & 0xffu);
                d[r + 16] = info.base + 2 * cs[r + 16] - 4 * (int32_t)((br >> 16) & 0xffu);
                d[r + 24] = info.base + 2 * cs[r + 24] - 4 * (int32_t)(br >> 24);
            }
        }
        return;
    }
    for (int o = 0; o < lanes; ++o) {
        const int32_t cnt = (int32_t)((b[o & 7] >> (8 * (o >> 3))) & 0xffu);
        const int32_t t = 4 * cnt - 2 * cs[o];
        d[o] = info.base + ((t ^ info.nm) - info.nm);
    }
}

/* Add byte lanes b into cnt[32] (lane 8 m + r from byte m of b[r]). */
static inline void bnn_vs_add_bytes(const uint32_t b[8], int32_t cnt[32])
{
    for (int r = 0; r < 8; ++r) {
        cnt[r] += (int32_t)(b[r] & 0xffu);
        cnt[r + 8] += (int32_t)((b[r] >> 8) & 0xffu);
        cnt[r + 16] += (int32_t)((b[r] >> 16) & 0xffu);
        cnt[r + 24] += (int32_t)(b[r] >> 24);
    }
}

/* d[o] from full column sums cnt[o] (the several-pass path, n_sel > BNN_VS_SEG). */
static inline void bnn_vs_write_d_counts(const int32_t cnt[32], int lanes, const int16_t *cs,
                                         bnn_vs_list_t info, int32_t *d)
{
    for (int o = 0; o < lanes; ++o) {
        const int32_t t = 4 * cnt[o] - 2 * cs[o];
        d[o] = info.base + ((t ^ info.nm) - info.nm);
    }
}

/* Sizes beyond the static scratch (BNN_BMM_MAX_IN / BNN_BMM_MAX_OUT): the definition, bit by bit,
 * on the column layout (slow, exact). */
static inline int bnn_vs_too_big(int n_in, int n_out)
{
    return n_in > BNN_BMM_MAX_IN || n_out > BNN_BMM_MAX_OUT;
}

static inline void bnn_vs_slow(const uint32_t *a, size_t a_stride, int n_vec, int n_in, const uint32_t *wt,
                               int n_out, int32_t *d)
{
    const int out_words = (n_out + 31) >> 5;
    for (int v = 0; v < n_vec; ++v) {
        const uint32_t *av = a + (size_t)v * a_stride;
        for (int o = 0; o < n_out; ++o) {
            int32_t acc = 0;
            for (int i = 0; i < n_in; ++i) {
                const uint32_t ai = (av[i >> 5] >> (i & 31)) & 1u;
                const uint32_t wi = (wt[(size_t)i * (size_t)out_words + (size_t)(o >> 5)] >> (o & 31)) & 1u;
                acc += (ai ^ wi) ? -1 : 1;
            }
            d[(size_t)v * (size_t)n_out + (size_t)o] = acc;
        }
    }
}

#endif /* BNN_VSPARSE_COMMON_H */
