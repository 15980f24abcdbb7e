#include "drv.h"
int drv_util(void) { return 0; }
