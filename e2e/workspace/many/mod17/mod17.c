// SPDX-License-Identifier: GPL-2.0
/* many/mod17: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod17_init(void)
{
	pr_info("mod17: loaded\n");
	return 0;
}

static void __exit mod17_exit(void)
{
	pr_info("mod17: unloaded\n");
}

module_init(mod17_init);
module_exit(mod17_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod17");
