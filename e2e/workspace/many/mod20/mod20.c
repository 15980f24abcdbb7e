// SPDX-License-Identifier: GPL-2.0
/* many/mod20: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod20_init(void)
{
	pr_info("mod20: loaded\n");
	return 0;
}

static void __exit mod20_exit(void)
{
	pr_info("mod20: unloaded\n");
}

module_init(mod20_init);
module_exit(mod20_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod20");
