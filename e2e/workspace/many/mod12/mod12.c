// SPDX-License-Identifier: GPL-2.0
/* many/mod12: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod12_init(void)
{
	pr_info("mod12: loaded\n");
	return 0;
}

static void __exit mod12_exit(void)
{
	pr_info("mod12: unloaded\n");
}

module_init(mod12_init);
module_exit(mod12_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod12");
