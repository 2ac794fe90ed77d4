/* Fake model library for protocol/firmware tests (NOT the real model): the SPEC.md section 6 API
 * with a trivial deterministic computation; tests/fakes/fakekws.py is its Python twin. */
#ifndef FAKEKWS_H
#define FAKEKWS_H
#include <stddef.h>
#include <stdint.h>

#define FAKEKWS_N_CLASSES 12
#define FAKEKWS_N_MELS 32
#define FAKEKWS_N_FRAMES 32
#define FAKEKWS_CLIP_SAMPLES 16000
#define FAKEKWS_MODEL_SHA256 "fa4efa4efa4efa4efa4efa4efa4efa4efa4efa4efa4efa4efa4efa4efa4efa4e"

void fakekws_init(void);
void fakekws_frontend_reset(void);
int fakekws_frontend_push(const int16_t *pcm, size_t n);
const int16_t *fakekws_features(void);
int fakekws_infer(const int16_t *features, int32_t *logits);
/* two thin paths, "1/2" (after boot) and "1/8": path index i adds i * (k + 1) to logit k */
int fakekws_set_width(const char *width);
const char *fakekws_width(void);
#endif
