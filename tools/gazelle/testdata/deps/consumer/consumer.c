#include <linux/module.h>
extern int prod_add(int, int);
extern int dup_sym;
/* prod_in_comment twin_a_fn */
static int __init c_init(void) { return prod_add(dup_sym, 1) > 0 ? 0 : -1; }
module_init(c_init);
MODULE_LICENSE("GPL");
