// SPDX-License-Identifier: GPL-2.0
/* many/mod11: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod11_init(void)
{
	pr_info("mod11: loaded\n");
	return 0;
}

static void __exit mod11_exit(void)
{
	pr_info("mod11: unloaded\n");
}

module_init(mod11_init);
module_exit(mod11_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod11");
