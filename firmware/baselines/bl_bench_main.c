/* bl_bench_main.c - benchmark entry of the float32 (BL_VARIANT_F32) or int8 (BL_VARIANT_S8) baseline:
 * bench_network() runs one inference on the features of the benchmark clip (bench_features.h);
 * main() (QEMU) ends with a semihosting exit whose code is the argmax. */
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

int main(void)
{
#if !defined(BENCH_FRONTEND_ONLY)
    bench_exit(bench_network());
#endif
    bench_exit(0);
    return 0;
}
