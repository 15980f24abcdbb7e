#include "sub.h"
int submod(void) { return 2; }
