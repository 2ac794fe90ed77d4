/* bnn_scratch - the fast kernels' shared scratch area (one definition; see bnn_scratch.h). */
#include "bnn_scratch.h"

union bnn_scratch_u bnn_scratch;
