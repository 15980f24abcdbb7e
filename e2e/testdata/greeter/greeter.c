// SPDX-License-Identifier: GPL-2.0
/* greeter: uses greet_count() from the greet module (tests Module.symvers deps). */
#include <linux/module.h>
#include <linux/printk.h>

int greet_count(int n);

static int __init greeter_init(void)
{
	pr_info("greeter: %d\n", greet_count(2));
	return 0;
}

static void __exit greeter_exit(void)
{
}

module_init(greeter_init);
module_exit(greeter_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign test module depending on greet");
