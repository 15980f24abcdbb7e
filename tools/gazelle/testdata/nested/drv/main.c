#include <linux/module.h>
#include "lib/helper.h"
#include "builtin/core.h"
#include "sub/sub.h"
int drv_main(void) { return helper(); }
