/* bench_model_main.c - benchmark entry points around a generated model library (prefix kws).
 * bench_input.h (written by `bifsmn-mcu bench`) holds one 1 s clip g_bench_pcm.
 * unicorn calls bench_frontend / bench_network directly (after kws_init); under QEMU main() runs
 * them and ends with a semihosting exit (code = argmax when all logits equal the integer reference's
 * g_bench_expected, 200 when one differs; 100 if the front end failed). The comparison (a few
 * instructions per class) is counted with the network under QEMU.
 * BENCH_FRONTEND_ONLY=1 builds a main that stops after the front end, BENCH_STARTUP_ONLY=1 one that
 * stops after kws_init (QEMU counts the network and the front end by difference). */
#include <stdint.h>

#include "bench_input.h"
#include "bench_semihost.h"
#include "kws.h"

int32_t g_bench_logits[KWS_N_CLASSES];

int bench_frontend(void)
{
    kws_frontend_reset();
    return kws_frontend_push(g_bench_pcm, KWS_CLIP_SAMPLES);
}

int bench_network(void)
{
    return kws_infer(kws_features(), g_bench_logits);
}

/* Read by main in every image: keeps the network's code and static RAM linked in all three, so they
 * run the same start-up (.bss clearing, .data copy) and differences of their QEMU counts are the
 * network or the front end alone. */
int (*volatile g_bench_keep)(void) = bench_network;

int main(void)
{
    int (*const net)(void) = g_bench_keep;
    kws_init();
#if !defined(BENCH_STARTUP_ONLY)
    if (bench_frontend() != KWS_N_FRAMES) {
        bench_exit(100);
    }
#if !defined(BENCH_FRONTEND_ONLY)
    const int top = net();
    for (int i = 0; i < KWS_N_CLASSES; ++i) {
        if (g_bench_logits[i] != g_bench_expected[i]) {
            bench_exit(200); /* not bit-exact */
        }
    }
    bench_exit(top);
#endif
#endif
    bench_exit(net == 0 ? 101 : 0);
    return 0;
}
