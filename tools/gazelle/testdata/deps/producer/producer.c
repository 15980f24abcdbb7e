#include <linux/module.h>
int prod_add(int a, int b) { return a + b; }
EXPORT_SYMBOL_GPL(prod_add);
int dup_sym;
EXPORT_SYMBOL(dup_sym);
static int __init p_init(void) { return prod_add(1, 2) - 3; }
module_init(p_init);
MODULE_LICENSE("GPL");
