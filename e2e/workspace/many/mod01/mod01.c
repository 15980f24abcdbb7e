// SPDX-License-Identifier: GPL-2.0
/* many/mod01: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod01_init(void)
{
	pr_info("mod01: loaded\n");
	return 0;
}

static void __exit mod01_exit(void)
{
	pr_info("mod01: unloaded\n");
}

module_init(mod01_init);
module_exit(mod01_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod01");
