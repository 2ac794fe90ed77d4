/* CRC-16/CCITT-FALSE, bitwise (no table: flash matters more than speed at serial rates). */
#include "bifsmn_proto.h"

uint16_t bifsmn_crc16(uint16_t crc, const uint8_t *data, size_t n)
{
    size_t i;
    int b;
    for (i = 0; i < n; ++i) {
        crc ^= (uint16_t)((uint16_t)data[i] << 8);
        for (b = 0; b < 8; ++b) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}
