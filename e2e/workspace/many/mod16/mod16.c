// SPDX-License-Identifier: GPL-2.0
/* many/mod16: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod16_init(void)
{
	pr_info("mod16: loaded\n");
	return 0;
}

static void __exit mod16_exit(void)
{
	pr_info("mod16: unloaded\n");
}

module_init(mod16_init);
module_exit(mod16_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod16");
