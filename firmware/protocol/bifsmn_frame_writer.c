/* Frame header and little-endian helpers for the writer side. */
#include "bifsmn_proto.h"

void bifsmn_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

void bifsmn_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

uint16_t bifsmn_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}

uint16_t bifsmn_frame_header(uint8_t out[BIFSMN_PROTO_HEADER_SIZE], uint8_t type, uint8_t seq, uint16_t len)
{
    out[0] = BIFSMN_PROTO_SYNC0;
    out[1] = BIFSMN_PROTO_SYNC1;
    out[2] = BIFSMN_PROTO_VERSION;
    out[3] = type;
    out[4] = seq;
    bifsmn_put_u16(out + 5, len);
    return bifsmn_crc16(0xFFFFu, out + 2, BIFSMN_PROTO_HEADER_SIZE - 2u);
}
