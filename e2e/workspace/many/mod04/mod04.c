// SPDX-License-Identifier: GPL-2.0
/* many/mod04: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod04_init(void)
{
	pr_info("mod04: loaded\n");
	return 0;
}

static void __exit mod04_exit(void)
{
	pr_info("mod04: unloaded\n");
}

module_init(mod04_init);
module_exit(mod04_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod04");
