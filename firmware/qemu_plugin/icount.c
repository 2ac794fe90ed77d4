/* icount.c - exact instruction counts for QEMU system emulation (TCG plugin, API v1).
 *
 *   qemu-system-arm ... -plugin ./libicount.so,arg=out=/tmp/counts.txt -d plugin
 *
 * Every guest instruction gets an inline 64-bit counter (no helper call), keyed by its address,
 * so the counts are exact and survive retranslation. At exit the plugin prints the total
 * ("icount total N") and, with out=PATH, writes one line "0xADDRESS COUNT" per executed
 * instruction address; per-function totals come from the ELF's symbol table. Optional
 * lo=0x.. hi=0x.. adds the count inside [lo, hi) to the printed line.
 * Single vCPU (the Cortex-M boards); no glib, no QEMU headers (qemu_plugin_min.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_min.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define SLOTS (1u << 20) /* distinct instruction addresses (open addressing) */

typedef struct {
    uint64_t addr;
    uint64_t count;
    int used;
} slot_t;

static slot_t *s_slots;
static char s_out[4096];
static uint64_t s_lo, s_hi;

static slot_t *lookup(uint64_t addr)
{
    uint32_t h = (uint32_t)((addr * 0x9E3779B97F4A7C15ull) >> 44) & (SLOTS - 1u);
    for (uint32_t i = 0; i < SLOTS; ++i) {
        slot_t *s = &s_slots[(h + i) & (SLOTS - 1u)];
        if (!s->used) {
            s->used = 1;
            s->addr = addr;
            return s;
        }
        if (s->addr == addr) {
            return s;
        }
    }
    return NULL;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    const size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; ++i) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        slot_t *s = lookup(qemu_plugin_insn_vaddr(insn));
        if (s != NULL) {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &s->count, 1);
        }
    }
}

static void on_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    uint64_t total = 0, inside = 0;
    FILE *f = s_out[0] ? fopen(s_out, "w") : NULL;
    for (uint32_t i = 0; i < SLOTS; ++i) {
        const slot_t *s = &s_slots[i];
        if (!s->used || s->count == 0) {
            continue;
        }
        total += s->count;
        if (s->addr >= s_lo && s->addr < s_hi) {
            inside += s->count;
        }
        if (f != NULL) {
            fprintf(f, "0x%08" PRIx64 " %" PRIu64 "\n", s->addr, s->count);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    char line[128];
    snprintf(line, sizeof line, "icount total %" PRIu64 " range %" PRIu64 "\n", total, inside);
    qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv)
{
    (void)info;
    for (int i = 0; i < argc; ++i) {
        const char *a = argv[i];
        if (strncmp(a, "arg=", 4) == 0) {
            a += 4;
        }
        if (strncmp(a, "out=", 4) == 0) {
            snprintf(s_out, sizeof s_out, "%s", a + 4);
        } else if (strncmp(a, "lo=", 3) == 0) {
            s_lo = strtoull(a + 3, NULL, 0);
        } else if (strncmp(a, "hi=", 3) == 0) {
            s_hi = strtoull(a + 3, NULL, 0);
        } else {
            fprintf(stderr, "icount: unknown argument %s\n", a);
            return -1;
        }
    }
    s_slots = calloc(SLOTS, sizeof *s_slots);
    if (s_slots == NULL) {
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_exit, NULL);
    return 0;
}
