/* Entry point for every board that owns main() (QEMU, host, STM32Cube); Arduino boards use
 * setup()/loop() in bsp_arduino_serial.cpp instead. */
#ifndef ARDUINO
#include "bifsmn_app.h"

int main(void)
{
    bifsmn_app_init();
    for (;;) {
        bifsmn_app_poll();
    }
}
#endif
