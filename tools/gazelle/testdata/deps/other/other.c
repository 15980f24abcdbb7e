#include <linux/module.h>
int dup_sym;
EXPORT_SYMBOL(dup_sym);
MODULE_LICENSE("GPL");
