#include <linux/module.h>
#include "drv.h"
int drv_main(void) { return drv_util(); }
MODULE_LICENSE("GPL");
