/* bnn_dsa_pack_rows_fast_s32 - bnn_dsa_pack_rows_s32 (same arguments, same results), faster: the
 * row's thresholds are folded once (plane 2 compares against t2 + ONE, minus 2 ONE where plane 1 is
 * negative), values stay in 32 bits where that is exact (thresholds inside +-2^29, values inside
 * +-2^30: the range test is folded into one OR per value and checked once per row; a row that
 * fails it is redone with the portable 64-bit formula), the row's |r| sum is kept in 64 bits in
 * registers, and 8-frame rows (the model's) are unrolled so every bit lands with one shifted OR.
 * On Thumb-2 cores all rows of 8 frames are one assembly loop when every threshold and value is
 * inside +-2^27 (SSAT's sticky Q flag is that test; else the C code), 11 instructions per value:
 * with the sign mask g = (v - t1) >> 31 (arithmetic), plane 1 gets bit t by w -= g << t,
 * r = v - t2 - ONE - (g << 17), plane 2 bit t + 8 the same from r's sign mask g2, and the sum
 * adds r ^ g2 = |r| - [r < 0], the missing count being plane 2's popcount, added per row after
 * the loop. Every |r| < 2^28 + 2^16, so a row's sum fits 32 bits. Before: about 20 per value. */
#include "bnn_kernels_select.h"

#define LIM_T (1 << 29)
#define LIM_X (1u << 30)

/* one value: bit t of w1 / w2, |r| into sum, the range test into `out` (unsigned arithmetic: no
 * overflow for values outside the range either, those rows are redone) */
#define PR_VALUE(v, t)                                                                             \
    do {                                                                                           \
        const uint32_t n1_ = ((uint32_t)(v) - (uint32_t)a) >> 31;                                  \
        const uint32_t r_ = (uint32_t)(v) - (uint32_t)hi + (n1_ << (BNN_Q_ACT + 1));               \
        const uint32_t sg_ = (uint32_t)((int32_t)r_ >> 31);                                        \
        out |= (uint32_t)(v) + LIM_X;                                                              \
        w1 |= n1_ << (t);                                                                          \
        w2 |= (r_ >> 31) << (t);                                                                   \
        sum += (r_ ^ sg_) - sg_;                                                                   \
    } while (0)

#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
/* value at x (post-incremented) into bit T of w (plane 1) and T8 = T + 8 (plane 2), |r| - [r < 0]
 * into sum; SSAT sets the sticky Q flag when the value is outside +-2^27 */
#define PR_ASM_VALUE(T, T8)                                                                        \
    "ldr %[v], [%[x]], #4\n"                                                                      \
    "ssat %[r], #28, %[v]\n"                                                                      \
    "sub %[g], %[v], %[a]\n"                                                                      \
    "asr %[g], %[g], #31\n"                                                                       \
    "sub %[w], %[w], %[g], lsl #" T "\n"                                                          \
    "sub %[r], %[v], %[hi]\n"                                                                     \
    "sub %[r], %[r], %[g], lsl #17\n"                                                             \
    "asr %[g], %[r], #31\n"                                                                       \
    "sub %[w], %[w], %[g], lsl #" T8 "\n"                                                         \
    "eor %[r], %[r], %[g]\n"                                                                      \
    "add %[sum], %[sum], %[r]\n"

/* popcount of a nibble */
static const uint8_t pr_pop4[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

/* All rows of 8 frames: sums[c] = the row's sum of |r| - [r < 0] | (bits << 32), bits = plane 1 |
 * plane 2 << 8 (the caller splits them and adds plane 2's popcount). Returns nonzero when a
 * threshold or value is outside +-2^27 (the rows then take the C code). */
static uint32_t pr_rows8_asm(const int32_t *x, int n_rows, const int32_t *t1, const int32_t *t2, int64_t *sums)
{
    /* fixed registers: more operands than GCC allocates itself (r7 is left to the frame pointer) */
    register const int32_t *xr __asm__("r0") = x, *t1r __asm__("r1") = t1, *t2r __asm__("r2") = t2,
                                                  *xend __asm__("r12") = x + n_rows * 8;
    register int64_t *sr __asm__("r3") = sums;
    /* thresholds, bits, sum, value, r, sign mask */
    register uint32_t a __asm__("r4"), hi __asm__("r5"), w __asm__("r6"), sum __asm__("r8"), v __asm__("r9"),
        r __asm__("r10"), g __asm__("r11");
    __asm__ volatile("mov %[g], #0\n"
                     "msr APSR_nzcvq, %[g]\n"
                     "1:\n"
                     "ldr %[a], [%[t1]], #4\n"
                     "ldr %[hi], [%[t2]], #4\n"
                     "ssat %[r], #28, %[a]\n"
                     "ssat %[r], #28, %[hi]\n"
                     "add %[hi], %[hi], #65536\n"
                     "mov %[w], #0\n"
                     "mov %[sum], #0\n" PR_ASM_VALUE("0", "8") PR_ASM_VALUE("1", "9") PR_ASM_VALUE("2", "10")
                         PR_ASM_VALUE("3", "11") PR_ASM_VALUE("4", "12") PR_ASM_VALUE("5", "13")
                             PR_ASM_VALUE("6", "14") PR_ASM_VALUE("7", "15")
                     "strd %[sum], %[w], [%[s]], #8\n"
                     "cmp %[x], %[xend]\n"
                     "bne 1b\n"
                     "mrs %[g], APSR\n"
                     "and %[g], %[g], #0x08000000\n"
                     : [x] "+&r"(xr), [t1] "+&r"(t1r), [t2] "+&r"(t2r), [s] "+&r"(sr), [a] "=&r"(a), [hi] "=&r"(hi),
                       [w] "=&r"(w), [sum] "=&r"(sum), [v] "=&r"(v), [r] "=&r"(r), [g] "=&r"(g)
                     : [xend] "r"(xend)
                     : "cc", "memory");
    return g;
}
#endif

static void pack_row_exact(const int32_t *xr, int n_cols, int32_t a, int32_t tt, uint32_t *b1, uint32_t *b2,
                           int64_t *s)
{
    uint32_t w1 = 0u, w2 = 0u;
    int64_t sum = 0;
    for (int t = 0; t < n_cols; ++t) {
        const int64_t v = xr[t];
        const int neg1 = (v - a) < 0;
        const int64_t r = v - (neg1 ? -BNN_ONE : BNN_ONE) - tt;
        w1 |= (uint32_t)neg1 << t;
        w2 |= (uint32_t)(r < 0) << t;
        sum += r < 0 ? -r : r;
    }
    *b1 = w1;
    *b2 = w2;
    *s = sum;
}

void bnn_dsa_pack_rows_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
    if (n_cols == 8 && n_rows > 0 && pr_rows8_asm(x, n_rows, t1, t2, sums) == 0u) {
        for (int c = 0; c < n_rows; ++c) {
            const uint64_t s = (uint64_t)sums[c];
            const uint32_t b = (uint32_t)(s >> 32);
            bits1[c] = b & 0xffu;
            bits2[c] = b >> 8;
            sums[c] = (int64_t)((uint32_t)s + pr_pop4[(b >> 8) & 0xfu] + pr_pop4[b >> 12]);
        }
        return;
    }
#endif
    for (int c = 0; c < n_rows; ++c) {
        const int32_t *xr = x + c * n_cols;
        const int32_t a = t1[c], tt = t2[c];
        if (!(a > -LIM_T && a < LIM_T && tt > -LIM_T && tt < LIM_T)) {
            pack_row_exact(xr, n_cols, a, tt, &bits1[c], &bits2[c], &sums[c]);
            continue;
        }
        const int32_t hi = tt + BNN_ONE;
        uint32_t w1 = 0u, w2 = 0u, out = 0u;
        uint64_t sum = 0u;
        if (n_cols == 8) {
            const int32_t v0 = xr[0], v1 = xr[1], v2 = xr[2], v3 = xr[3];
            const int32_t v4 = xr[4], v5 = xr[5], v6 = xr[6], v7 = xr[7];
            PR_VALUE(v0, 0);
            PR_VALUE(v1, 1);
            PR_VALUE(v2, 2);
            PR_VALUE(v3, 3);
            PR_VALUE(v4, 4);
            PR_VALUE(v5, 5);
            PR_VALUE(v6, 6);
            PR_VALUE(v7, 7);
        } else {
            for (int t = 0; t < n_cols; ++t) {
                const int32_t v = xr[t];
                PR_VALUE(v, t);
            }
        }
        if (out & 0x80000000u) { /* a value outside +-2^30: the exact formula */
            pack_row_exact(xr, n_cols, a, tt, &bits1[c], &bits2[c], &sums[c]);
            continue;
        }
        bits1[c] = w1;
        bits2[c] = w2;
        sums[c] = (int64_t)sum;
    }
}
