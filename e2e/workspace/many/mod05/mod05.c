// SPDX-License-Identifier: GPL-2.0
/* many/mod05: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod05_init(void)
{
	pr_info("mod05: loaded\n");
	return 0;
}

static void __exit mod05_exit(void)
{
	pr_info("mod05: unloaded\n");
}

module_init(mod05_init);
module_exit(mod05_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod05");
