/* Host build: the protocol runs over stdin/stdout (bifsmn_mcu.transport.host_process),
 * the counter is CLOCK_MONOTONIC in ns. */
#ifdef BIFSMN_BSP_HOST
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bsp.h"

__attribute__((weak)) void bsp_init(void) {}

__attribute__((weak)) int bsp_read_byte(uint8_t *out, uint32_t timeout_ms)
{
    struct pollfd pfd;
    ssize_t n;
    pfd.fd = 0;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, (int)timeout_ms) <= 0) {
        return 0;
    }
    n = read(0, out, 1);
    if (n <= 0) {
        exit(0); /* host closed the pipe: done */
    }
    return 1;
}

__attribute__((weak)) void bsp_write(const uint8_t *data, size_t n)
{
    while (n > 0) {
        ssize_t k = write(1, data, n);
        if (k <= 0) {
            exit(1);
        }
        data += k;
        n -= (size_t)k;
    }
}

__attribute__((weak)) void bsp_flush(void) {}

__attribute__((weak)) void bsp_counter_init(void) {}

__attribute__((weak)) uint32_t bsp_counter_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}
#endif /* BIFSMN_BSP_HOST */
