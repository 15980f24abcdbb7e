#include "helper.h"
int helper(void) { return 0; }
