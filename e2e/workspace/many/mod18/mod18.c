// SPDX-License-Identifier: GPL-2.0
/* many/mod18: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod18_init(void)
{
	pr_info("mod18: loaded\n");
	return 0;
}

static void __exit mod18_exit(void)
{
	pr_info("mod18: unloaded\n");
}

module_init(mod18_init);
module_exit(mod18_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod18");
