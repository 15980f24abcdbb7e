// SPDX-License-Identifier: GPL-2.0
/* many/mod09: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod09_init(void)
{
	pr_info("mod09: loaded\n");
	return 0;
}

static void __exit mod09_exit(void)
{
	pr_info("mod09: unloaded\n");
}

module_init(mod09_init);
module_exit(mod09_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod09");
