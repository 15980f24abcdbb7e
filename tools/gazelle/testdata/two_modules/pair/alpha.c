#include "common.h"
int alpha(void) { return 1; }
