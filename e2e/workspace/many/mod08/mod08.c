// SPDX-License-Identifier: GPL-2.0
/* many/mod08: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod08_init(void)
{
	pr_info("mod08: loaded\n");
	return 0;
}

static void __exit mod08_exit(void)
{
	pr_info("mod08: unloaded\n");
}

module_init(mod08_init);
module_exit(mod08_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod08");
