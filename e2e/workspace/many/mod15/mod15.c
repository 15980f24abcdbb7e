// SPDX-License-Identifier: GPL-2.0
/* many/mod15: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod15_init(void)
{
	pr_info("mod15: loaded\n");
	return 0;
}

static void __exit mod15_exit(void)
{
	pr_info("mod15: unloaded\n");
}

module_init(mod15_init);
module_exit(mod15_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod15");
