// SPDX-License-Identifier: GPL-2.0
/* many/mod06: one of the 20 modules of the incrementality sample. */
#include <linux/init.h>
#include <linux/module.h>

static int __init mod06_init(void)
{
	pr_info("mod06: loaded\n");
	return 0;
}

static void __exit mod06_exit(void)
{
	pr_info("mod06: unloaded\n");
}

module_init(mod06_init);
module_exit(mod06_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod06");
