// SPDX-License-Identifier: GPL-2.0
/* many/mod07: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod07_init(void)
{
	pr_info("mod07: loaded\n");
	return 0;
}

static void __exit mod07_exit(void)
{
	pr_info("mod07: unloaded\n");
}

module_init(mod07_init);
module_exit(mod07_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod07");
