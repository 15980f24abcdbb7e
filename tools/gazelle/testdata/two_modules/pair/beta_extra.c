#include "common.h"
int beta_extra(void) { return 3; }
