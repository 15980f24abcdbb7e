// SPDX-License-Identifier: GPL-2.0
/* many/mod14: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod14_init(void)
{
	pr_info("mod14: loaded\n");
	return 0;
}

static void __exit mod14_exit(void)
{
	pr_info("mod14: unloaded\n");
}

module_init(mod14_init);
module_exit(mod14_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod14");
