/* bnn_scratch.h - the one scratch area the fast kernels share (static memory, no malloc).
 *
 * The kernels never run concurrently (one inference at a time, one thread, none from an ISR) and
 * none keeps anything in its scratch from one call to the next: every call writes what it reads
 * (per-call constants, row lists, count lanes, copies of its input). So their scratch arrays
 * need not each be a private .bss array: each kernel's scratch is one struct type below, and the
 * union bnn_scratch (bnn_scratch.c) holds one of each, so the static RAM is the largest struct
 * instead of the sum.
 *
 * Rules:
 *  - A kernel uses only its own member of bnn_scratch, and only during a call: nothing in it may
 *    be read by a later call (it was overwritten meanwhile). State that must survive from one call
 *    to the next (a lazily built table, a cache) cannot live here: keep it private. (None exists:
 *    the kernels' other statics are const, in flash: the popcount / spread tables of
 *    bnn_bdwconv1d_fast_s32 and bnn_dsa_pack_rows_fast_s32 and the zero rows s_*zero.)
 *  - Calls into another kernel that uses scratch: every callee's member starts at offset 0 of the
 *    union. A caller whose scratch is still live while the callee runs (bnn_bdense_vsparse_s32 ->
 *    bnn_bmm_fast_i32: d and the transform constants) puts the callee's struct first in its own
 *    struct, so its own fields lie above the callee's. A caller that only falls back to another
 *    kernel and returns (bnn_bconv2d_mve_s32 -> bnn_bconv2d_vsparse_s32 / _fast_s32,
 *    bnn_bconv2d_vsparse_s32 -> bnn_bconv2d_fast_s32, bnn_bmm_vsparse_v7m_i32 -> bnn_vs_slow,
 *    bnn_dsa_pack_cols_mve_s32 -> bnn_dsa_pack_cols_fast_s32, bnn_bdwconv1d_mve_s32 ->
 *    bnn_bdwconv1d_fast_s32, which has no scratch) needs nothing: its scratch is dead by then.
 *    Inline helpers (bnn_vsparse_common.h, bnn_vs_fused.h, bnn_vsparse_mve.h) take their
 *    scratch as arguments: from the calling kernel's own struct.
 *  - Inside one struct, the fields of paths a call tries one after another (the first declines
 *    before the next starts) may share storage as a union (bnn_scratch_bdense_t.path).
 *  - Members exist only for the variants the compiler flags select (same feature macros as the
 *    kernels: MVE-only scratch only on Helium builds), so every kernel in one build sees the same
 *    union. Nothing but the kernels may use it (their inputs and outputs must not be in it).
 *  - Aligned to 16 bytes (Helium vector loads and stores); byte / halfword arrays read as words
 *    are aligned to 8 inside their struct.
 */
#ifndef BNN_SCRATCH_H
#define BNN_SCRATCH_H

#include <stdint.h>

#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"
#include "bnn_vsparse_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define BNN_SCRATCH_MVE 1
#endif
#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
#define BNN_SCRATCH_THUMB2M 1
#endif
/* bnn_bdense_vsparse_s32's Thumb-2 assembly path (the model's shape on M4/M7/M33) */
#if !defined(BNN_SCRATCH_MVE) && defined(BNN_SCRATCH_THUMB2M) && defined(__ARM_FEATURE_DSP) && \
    (__ARM_FEATURE_DSP == 1)
#define BNN_BD_ASM 1
#endif

/* ---- sizes (each kernel falls back to a slower exact path above its limits) ---- */
/* bnn_bdense_vsparse_s32 */
#define BNN_BD_MAX_OUT 256 /* n_out of the assembly path */
#define BNN_BD_REC 6       /* int32 per output record: cs, M, rnd low, rnd high, S - 32, A << 17 */
#define BNN_BD_WIDE_MAX 32 /* outputs with a wide PReLU slope, rewritten exactly */
#define BNN_BV_REC 24      /* int32 per Helium record (four outputs) */
/* bnn_bconv2d_fast_s32, bnn_bconv2d_mve_s32 */
#define BNN_BC_POS_MAX 1024 /* input positions */
#define BNN_BC_W_MAX 1024   /* out_c * k * k */
#define BNN_BC_C_MAX 64     /* out_c */
/* bnn_bconv2d_vsparse_s32 */
#define BNN_CV_MAX_IN 448  /* n_in: one counting pass, acc inside int32 */
#define BNN_CV_MAX_OUT 64  /* out_c */
#define BNN_PL_T 64        /* position lanes: 8 x 8 output positions */
#define BNN_PL_ROWS 400    /* position lanes: 5 x 5 taps x 16 channels */
/* bnn_bdwconv1d_mve_s32 */
#define BNN_DW_C_MAX 256
/* bnn_conv2d_fast_s8 */
#define BNN_C1_PAD_MAX 2304 /* padded image pixels of the C path (36 x 36 + slack) */
#define BNN_C1_C_MAX 64
#define BNN_C1_V_W 35      /* words of a V-row */
#define BNN_C1_REC_W 65    /* words of a record: V-row + tiles */
#define BNN_C1_RECS_MAX 18 /* records: out_h <= 16 */
/* bnn_dense_fast_s8 */
#define BNN_DF_IN_MAX 2048
/* bnn_dsa_pack_cols_fast_s32: rows per threshold block (a multiple of 32) */
#define BNN_PC_BLOCK 256

/* bnn_bmm_vsparse_i32 / _v7m_i32 / _mve_i32 (bnn_bmm_fast_i32): the row list */
typedef struct {
    const uint32_t *list[BNN_VS_LIST_MAX];
} bnn_scratch_bmm_t;

/* bnn_bdense_vsparse_s32; calls bnn_bmm_fast_i32 with d and rq live: bmm first. The fused paths'
 * row list (bnn_vs_fused.h, counts_vec) is bmm.list too: it is dead before the frame's bmm calls.
 * `path`: the fields of the paths a call takes one after another (one declines before the next
 * starts, nothing of it read afterwards): the Thumb-2 assembly path (bd) or the Helium record path
 * (vrec), else the general path (gen: the d arrays of bnn_bmm_fast_i32 and the transform's). */
typedef struct {
    int32_t d[2][BNN_BMM_MAX_OUT];
#ifdef BNN_SCRATCH_MVE
    int32_t vm[BNN_BMM_MAX_OUT], vk[BNN_BMM_MAX_OUT], vsh[BNN_BMM_MAX_OUT], vb[BNN_BMM_MAX_OUT],
        va[BNN_BMM_MAX_OUT];
    uint32_t v32[BNN_BMM_MAX_OUT];
#else
    uint32_t fp1[BNN_BMM_MAX_OUT / 32][8];
#endif
} bnn_scratch_bdense_gen_t;

typedef struct {
    bnn_scratch_bmm_t bmm;
    bnn_frq_t rq[BNN_BMM_MAX_OUT];
#ifdef BNN_SCRATCH_MVE
    uint8_t cb[2][BNN_BMM_MAX_OUT + 128] __attribute__((aligned(8)));
    int any32;
#endif
    union {
        bnn_scratch_bdense_gen_t gen;
#ifdef BNN_SCRATCH_MVE
        int32_t vrec[BNN_BMM_MAX_OUT / 4 * BNN_BV_REC];
#endif
#ifdef BNN_BD_ASM
        struct {
            int32_t rec[BNN_BD_MAX_OUT * BNN_BD_REC];
            uint32_t pw[BNN_BD_MAX_OUT / 32][16];
            int16_t wide[BNN_BD_WIDE_MAX];
            int nwide;
        } bd;
#endif
    } path;
} bnn_scratch_bdense_t;

/* bnn_bconv2d_fast_s32 */
typedef struct {
    uint32_t a[BNN_BC_POS_MAX];
    uint32_t w[BNN_BC_W_MAX];
    bnn_frq_t rq[BNN_BC_C_MAX];
} bnn_scratch_bconv2d_fast_t;

/* bnn_bconv2d_vsparse_s32 */
typedef struct {
    const uint32_t *cl[BNN_CV_MAX_IN / 2 + 16 + 4];
    uint32_t cp1[BNN_CV_MAX_OUT / 32][8];
    bnn_frq_t crq[BNN_CV_MAX_OUT];
    uint32_t prow[BNN_PL_ROWS][4];
    uint32_t eg[2][BNN_PL_T];
} bnn_scratch_bconv2d_vsparse_t;

/* bnn_conv2d_fast_s8: the records (DSP) or the padded int16 image (C path) */
typedef struct {
    union {
        uint32_t w[BNN_C1_RECS_MAX * BNN_C1_REC_W];
        int16_t h[BNN_C1_PAD_MAX + 8];
    } buf;
    bnn_frq_t rq[BNN_C1_C_MAX];
    int16_t offrow[BNN_C1_V_W] __attribute__((aligned(8))); /* a row outside the input */
} bnn_scratch_conv2d_fast_t;

/* bnn_dense_fast_s8: the int16 input */
typedef struct {
    int16_t v[BNN_DF_IN_MAX] __attribute__((aligned(8)));
} bnn_scratch_dense_fast_t;

#ifdef BNN_SCRATCH_THUMB2M
/* bnn_dsa_pack_cols_fast_s32: one block's (t1, u) threshold pairs */
typedef struct {
    int32_t thr[2 * BNN_PC_BLOCK];
} bnn_scratch_pack_cols_t;
#endif

#ifdef BNN_SCRATCH_MVE
/* bnn_bconv2d_mve_s32 */
typedef struct {
    uint32_t a[BNN_BC_POS_MAX];
    uint32_t wt[BNN_BC_W_MAX]; /* [tap][o], doubled */
    bnn_frq_t rq[BNN_BC_C_MAX];
    int32_t vm[BNN_BC_C_MAX], vk[BNN_BC_C_MAX], vsh[BNN_BC_C_MAX], vb[BNN_BC_C_MAX], va[BNN_BC_C_MAX];
    uint32_t v32[BNN_BC_C_MAX];
} bnn_scratch_bconv2d_mve_t;

/* bnn_bdwconv1d_mve_s32 */
typedef struct {
    bnn_frq_t rq[BNN_DW_C_MAX];
    int32_t vm[BNN_DW_C_MAX], vk[BNN_DW_C_MAX], vsh[BNN_DW_C_MAX], vb[BNN_DW_C_MAX], va[BNN_DW_C_MAX];
    uint32_t v32[BNN_DW_C_MAX];
} bnn_scratch_bdwconv1d_mve_t;
#endif

union bnn_scratch_u {
    bnn_scratch_bmm_t bmm;
    bnn_scratch_bdense_t bdense;
    bnn_scratch_bconv2d_fast_t bconv2d_fast;
    bnn_scratch_bconv2d_vsparse_t bconv2d_vsparse;
    bnn_scratch_conv2d_fast_t conv2d_fast;
    bnn_scratch_dense_fast_t dense_fast;
#ifdef BNN_SCRATCH_THUMB2M
    bnn_scratch_pack_cols_t pack_cols;
#endif
#ifdef BNN_SCRATCH_MVE
    bnn_scratch_bconv2d_mve_t bconv2d_mve;
    bnn_scratch_bdwconv1d_mve_t bdwconv1d_mve;
#endif
} __attribute__((aligned(16)));

extern union bnn_scratch_u bnn_scratch;

#ifdef __cplusplus
}
#endif

#endif /* BNN_SCRATCH_H */
