/* bnn_dsa_pack_cols_fast_s32 - bnn_dsa_pack_cols_s32 (same arguments, same results), faster:
 * 32-bit arithmetic where it is exact (every threshold inside +-2^29, checked once per call, else
 * the portable kernel; values inside +-2^30, tested with one OR per value and checked once per
 * 32-row word: a word that fails is redone with the 64-bit formula). Plane 2 compares against
 * t2 + ONE, minus 2 ONE where plane 1 is negative; |r| is summed on 64 bits in registers; a full
 * word of 32 rows with 8 columns (the model's frames) is unrolled with constant load offsets and
 * bit positions (Thumb-2 assembly on Cortex-M, 17 instructions per value). */
#include "bnn_kernels.h"

#define LIM_T (1 << 29)
#define LIM_X (1u << 30)

/* value v, thresholds a = t1, tt = t2: bit b of w1 / w2, |r| into sum, the range test into `out` (unsigned arithmetic:
 * no overflow for values outside the range either, those words are redone) */
#define PC_VALUE(v, a, tt, b)                                                                      \
    do {                                                                                           \
        const uint32_t v_ = (uint32_t)(v);                                                         \
        const uint32_t n1_ = (v_ - (uint32_t)(a)) >> 31;                                           \
        const uint32_t r_ = v_ - (uint32_t)(tt) - (uint32_t)BNN_ONE + (n1_ << (BNN_Q_ACT + 1));    \
        const uint32_t sg_ = (uint32_t)((int32_t)r_ >> 31);                                        \
        out |= v_ + LIM_X;                                                                         \
        w1 |= n1_ << (b);                                                                          \
        w2 |= (r_ >> 31) << (b);                                                                   \
        sum += (r_ ^ sg_) - sg_;                                                                   \
    } while (0)

#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
/* PC_VALUE in Thumb-2 for the rows listed in IRP (.irp list); LOADV loads row \\i's value into v */
#define PC_ASM(IRP, LOADV)                                                                         \
    ".irp i, " IRP "\n" LOADV                                                                     \
    "ldr %[a], [%[ab], #(\\i * 4)]\n"                                                            \
    "ldr %[r], [%[tb], #(\\i * 4)]\n"                                                            \
    "add %[tmp], %[v], #0x40000000\n"                                                             \
    "orr %[out], %[out], %[tmp]\n"                                                                \
    "sub %[a], %[v], %[a]\n"                                                                      \
    "lsr %[a], %[a], #31\n"                                                                       \
    "orr %[w1], %[w1], %[a], lsl #\\i\n"                                                          \
    "sub %[r], %[v], %[r]\n"                                                                      \
    "sub %[r], %[r], #65536\n"                                                                    \
    "add %[r], %[r], %[a], lsl #17\n"                                                             \
    "lsr %[tmp], %[r], #31\n"                                                                     \
    "orr %[w2], %[w2], %[tmp], lsl #\\i\n"                                                        \
    "eor %[tmp], %[r], %[r], asr #31\n"                                                           \
    "sub %[tmp], %[tmp], %[r], asr #31\n"                                                         \
    "adds %[lo], %[lo], %[tmp]\n"                                                                 \
    "adc %[hi], %[hi], #0\n"                                                                      \
    ".endr\n"
#define PC_ROWS16 "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"
#define PC_ROWS32 PC_ROWS16 ",16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#endif

/* 32 rows of one column, 8 columns per row: the value of row i at xb[8 i]. */
static inline void pc_word8(const int32_t *xb, const int32_t *ab, const int32_t *tb, uint32_t *pw1, uint32_t *pw2,
                            uint32_t *pout, uint64_t *psum)
{
#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
    /* PC_VALUE in Thumb-2, 17 instructions per value, offsets and bit positions immediate */
    uint32_t w1 = 0u, w2 = 0u, out = 0u, lo = 0u, hi = 0u, v, a, r, tmp;
    __asm__(PC_ASM(PC_ROWS32, "ldr %[v], [%[xb], #(\\i * 32)]\n")
            : [w1] "+&r"(w1), [w2] "+&r"(w2), [out] "+&r"(out), [lo] "+&r"(lo), [hi] "+&r"(hi), [v] "=&r"(v),
              [a] "=&r"(a), [r] "=&r"(r), [tmp] "=&r"(tmp)
            : [xb] "r"(xb), [ab] "r"(ab), [tb] "r"(tb)
            : "cc");
    *pw1 = w1;
    *pw2 = w2;
    *pout = out;
    *psum = ((uint64_t)hi << 32) | lo;
#else
    uint32_t w1 = 0u, w2 = 0u, out = 0u;
    uint64_t sum = 0u;
    for (int i = 0; i < 32; ++i) {
        PC_VALUE(xb[i * 8], ab[i], tb[i], i);
    }
    *pw1 = w1;
    *pw2 = w2;
    *pout = out;
    *psum = sum;
#endif
}

#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
/* 16 or 32 rows of one column, `strideb` bytes apart (any column count) */
static inline void pc_word_strided(const int32_t *xb, uint32_t strideb, int rows, const int32_t *ab,
                                   const int32_t *tb, uint32_t *pw1, uint32_t *pw2, uint32_t *pout, uint64_t *psum)
{
    uint32_t w1 = 0u, w2 = 0u, out = 0u, lo = 0u, hi = 0u, v, a, r, tmp;
    if (rows == 16) {
        __asm__(PC_ASM(PC_ROWS16, "ldr %[v], [%[xb]]\nadd %[xb], %[xb], %[sb]\n")
                : [w1] "+&r"(w1), [w2] "+&r"(w2), [out] "+&r"(out), [lo] "+&r"(lo), [hi] "+&r"(hi), [v] "=&r"(v),
                  [a] "=&r"(a), [r] "=&r"(r), [tmp] "=&r"(tmp), [xb] "+&r"(xb)
                : [sb] "r"(strideb), [ab] "r"(ab), [tb] "r"(tb)
                : "cc");
    } else {
        __asm__(PC_ASM(PC_ROWS32, "ldr %[v], [%[xb]]\nadd %[xb], %[xb], %[sb]\n")
                : [w1] "+&r"(w1), [w2] "+&r"(w2), [out] "+&r"(out), [lo] "+&r"(lo), [hi] "+&r"(hi), [v] "=&r"(v),
                  [a] "=&r"(a), [r] "=&r"(r), [tmp] "=&r"(tmp), [xb] "+&r"(xb)
                : [sb] "r"(strideb), [ab] "r"(ab), [tb] "r"(tb)
                : "cc");
    }
    *pw1 = w1;
    *pw2 = w2;
    *pout = out;
    *psum = ((uint64_t)hi << 32) | lo;
}
#endif

/* rows c0 .. end-1 of column t with the 64-bit formula; returns the |r| sum */
static int64_t word_exact(const int32_t *x, int n_cols, int t, int c0, int end, const int32_t *t1,
                          const int32_t *t2, uint32_t *b1, uint32_t *b2)
{
    uint32_t w1 = 0u, w2 = 0u;
    int64_t sum = 0;
    for (int c = c0; c < end; ++c) {
        const int64_t v = x[c * n_cols + t];
        const int neg1 = (v - t1[c]) < 0;
        const int64_t r = v - (neg1 ? -BNN_ONE : BNN_ONE) - t2[c];
        w1 |= (uint32_t)neg1 << (c - c0);
        w2 |= (uint32_t)(r < 0) << (c - c0);
        sum += r < 0 ? -r : r;
    }
    *b1 = w1;
    *b2 = w2;
    return sum;
}

void bnn_dsa_pack_cols_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    const int words = (n_rows + 31) / 32;
    int safe = 1;
    for (int c = 0; c < n_rows; ++c) {
        safe &= t1[c] > -LIM_T && t1[c] < LIM_T && t2[c] > -LIM_T && t2[c] < LIM_T;
    }
    if (!safe) {
        bnn_dsa_pack_cols_s32(x, n_rows, n_cols, t1, t2, bits1, bits2, sums);
        return;
    }
    for (int t = 0; t < n_cols; ++t) {
        uint64_t total = 0u;
        for (int j = 0; j < words; ++j) {
            const int c0 = j * 32;
            const int end = c0 + 32 < n_rows ? c0 + 32 : n_rows;
            uint32_t w1 = 0u, w2 = 0u, out = 0u;
            uint64_t sum = 0u;
            const int32_t *xp = x + c0 * n_cols + t;
            if (end - c0 == 32 && n_cols == 8) {
                pc_word8(xp, t1 + c0, t2 + c0, &w1, &w2, &out, &sum);
            }
#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
            else if (end - c0 == 32 || end - c0 == 16) {
                pc_word_strided(xp, 4u * (uint32_t)n_cols, end - c0, t1 + c0, t2 + c0, &w1, &w2, &out, &sum);
            }
#endif
            else {
                for (int c = c0; c < end; ++c, xp += n_cols) {
                    PC_VALUE(*xp, t1[c], t2[c], c - c0);
                }
            }
            if (out & 0x80000000u) { /* a value outside +-2^30: the exact formula */
                total += (uint64_t)word_exact(x, n_cols, t, c0, end, t1, t2, &w1, &w2);
            } else {
                total += sum;
            }
            bits1[t * words + j] = w1;
            bits2[t * words + j] = w2;
        }
        sums[t] = (int64_t)total;
    }
}
