/* bl_bench_main.c - benchmark entry of the float32 (BL_VARIANT_F32) or int8 (BL_VARIANT_S8) baseline:
 * bench_network() runs one inference on the features of the benchmark clip (bench_features.h);
 * main() (QEMU) ends with a semihosting exit whose code is the argmax. BENCH_STARTUP_ONLY=1 builds
 * the same image without the inference (QEMU counts the network by difference). */
#include <stdint.h>

#include "bench_features.h"
#include "bench_semihost.h"
#include "bl_baselines.h"

#if defined(BL_VARIANT_F32)
float g_bench_logits[16];
int bench_network(void)
{
    return bl_net_f32(g_bench_features, g_bench_logits);
}
#else
int32_t g_bench_logits[16];
int bench_network(void)
{
    return bl_net_s8(g_bench_features, g_bench_logits);
}
#endif

/* Read by main in both images (with and without BENCH_STARTUP_ONLY): keeps the network's code and
 * static RAM linked in both, so they run the same start-up (.bss clearing, .data copy) and the
 * difference of their QEMU counts is the network alone. */
int (*volatile g_bench_keep)(void) = bench_network;

int main(void)
{
    int (*const net)(void) = g_bench_keep;
#if !defined(BENCH_STARTUP_ONLY)
    bench_exit(net());
#endif
    bench_exit(net == 0 ? 101 : 0);
    return 0;
}
