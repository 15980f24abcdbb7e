// SPDX-License-Identifier: GPL-2.0
/* many/mod19: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod19_init(void)
{
	pr_info("mod19: loaded\n");
	return 0;
}

static void __exit mod19_exit(void)
{
	pr_info("mod19: unloaded\n");
}

module_init(mod19_init);
module_exit(mod19_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod19");
