// SPDX-License-Identifier: GPL-2.0
/* greet: exports a symbol that other test modules use (a kernel_module dep). */
#include <linux/module.h>
#include <linux/printk.h>
#include <greet/greet.h>

int greet_count(int n)
{
	pr_info("greet: %d\n", n);
	return n + GREET_BASE;
}
EXPORT_SYMBOL_GPL(greet_count);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign test module exporting greet_count");
