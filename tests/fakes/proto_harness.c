/* Test harness for the C frame codec (tests/test_protocol_codec.py):
 *   proto_harness parse  < bytes   -> one line per event: "FRAME type seq hexpayload" / "ERROR code detail"
 *                                     (an idle() call at end of input)
 *   proto_harness encode TYPE SEQ HEX -> the frame bytes in hex */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bifsmn_proto.h"

static bifsmn_parser s_p;

static void report(bifsmn_parse_result r)
{
    uint16_t i;
    if (r == BIFSMN_PARSE_FRAME) {
        printf("FRAME %u %u ", (unsigned)s_p.type, (unsigned)s_p.seq);
        for (i = 0; i < s_p.len; ++i) {
            printf("%02x", s_p.payload[i]);
        }
        printf("\n");
    } else if (r == BIFSMN_PARSE_ERROR) {
        printf("ERROR %u %u\n", (unsigned)s_p.err_code, (unsigned)s_p.err_detail);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "parse") == 0) {
        int c;
        bifsmn_parser_reset(&s_p);
        while ((c = getchar()) != EOF) {
            report(bifsmn_parser_feed(&s_p, (uint8_t)c));
        }
        report(bifsmn_parser_idle(&s_p));
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "encode") == 0) {
        static uint8_t payload[70000];
        uint8_t hdr[BIFSMN_PROTO_HEADER_SIZE];
        size_t n = strlen(argv[4]) / 2, i;
        uint16_t crc;
        for (i = 0; i < n; ++i) {
            unsigned v;
            if (sscanf(argv[4] + 2 * i, "%2x", &v) != 1) {
                return 2;
            }
            payload[i] = (uint8_t)v;
        }
        crc = bifsmn_frame_header(hdr, (uint8_t)atoi(argv[2]), (uint8_t)atoi(argv[3]), (uint16_t)n);
        crc = bifsmn_crc16(crc, payload, n);
        for (i = 0; i < sizeof hdr; ++i) {
            printf("%02x", hdr[i]);
        }
        for (i = 0; i < n; ++i) {
            printf("%02x", payload[i]);
        }
        printf("%02x%02x\n", crc & 0xFFu, crc >> 8);
        return 0;
    }
    fprintf(stderr, "usage: proto_harness parse | encode TYPE SEQ HEX\n");
    return 2;
}
