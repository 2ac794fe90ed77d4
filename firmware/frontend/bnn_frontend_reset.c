/* Start a new clip: the next sample pushed is sample 0 of frame 0. */
#include "bnn_frontend.h"

void bnn_frontend_reset(bnn_frontend_t *fe) {
    bnn_frontend_zero_padding(fe);
    fe->pos = 0;
    fe->frame = 0;
}
