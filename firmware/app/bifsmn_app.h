/* The device application: answers protocol requests with the generated model. */
#ifndef BIFSMN_APP_H
#define BIFSMN_APP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void bifsmn_app_init(void);
void bifsmn_app_poll(void); /* handles at most one received byte or one idle timeout */
/* INFO reply text (JSON) into buf; returns its length. */
size_t bifsmn_app_info(char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* BIFSMN_APP_H */
