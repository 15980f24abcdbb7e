// SPDX-License-Identifier: GPL-2.0
/* many/mod13: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod13_init(void)
{
	pr_info("mod13: loaded\n");
	return 0;
}

static void __exit mod13_exit(void)
{
	pr_info("mod13: unloaded\n");
}

module_init(mod13_init);
module_exit(mod13_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod13");
