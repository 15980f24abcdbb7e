// SPDX-License-Identifier: GPL-2.0
/* many/mod10: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod10_init(void)
{
	pr_info("mod10: loaded\n");
	return 0;
}

static void __exit mod10_exit(void)
{
	pr_info("mod10: unloaded\n");
}

module_init(mod10_init);
module_exit(mod10_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod10");
