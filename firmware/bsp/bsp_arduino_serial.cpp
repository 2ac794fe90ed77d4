/* Arduino boards (Nano 33 BLE, Pico, Teensy 4.1): the protocol over `Serial` (USB CDC).
 * Arduino owns main(): setup()/loop() drive the app. Counter: DWT (M4/M7, counter_dwt.c) or,
 * on M0+ where the RTOS owns SysTick, micros() (BIFSMN_COUNTER_MICROS, below). */
#if defined(BIFSMN_BSP_ARDUINO) && defined(ARDUINO)
#include <Arduino.h>

#include "bsp.h"
#include "bifsmn_app.h"

extern "C" {

__attribute__((weak)) void bsp_init(void)
{
    Serial.begin(115200);
    while (!Serial) {
    }
}

__attribute__((weak)) int bsp_read_byte(uint8_t *out, uint32_t timeout_ms)
{
    uint32_t start = millis();
    while (Serial.available() <= 0) {
        if ((uint32_t)(millis() - start) > timeout_ms) {
            return 0;
        }
    }
    *out = (uint8_t)Serial.read();
    return 1;
}

__attribute__((weak)) void bsp_write(const uint8_t *data, size_t n) { Serial.write(data, n); }

__attribute__((weak)) void bsp_flush(void) { Serial.flush(); }

__attribute__((weak)) uint32_t bsp_clock_hz(void)
{
#if defined(F_CPU_ACTUAL) /* Teensy 4.x: the clock it really runs at */
    return (uint32_t)F_CPU_ACTUAL;
#elif defined(F_CPU)
    return (uint32_t)F_CPU;
#else
    return (uint32_t)SystemCoreClock; /* mbed cores (Nano 33 BLE, Pico) */
#endif
}

#ifdef BIFSMN_COUNTER_MICROS
/* M0+ boards under Arduino-mbed: no DWT, and the RTOS owns SysTick; count microseconds */
__attribute__((weak)) void bsp_counter_init(void) {}

__attribute__((weak)) uint32_t bsp_counter_now(void) { return (uint32_t)micros(); }
#endif

} /* extern "C" */

void setup() { bifsmn_app_init(); }

void loop() { bifsmn_app_poll(); }
#endif
