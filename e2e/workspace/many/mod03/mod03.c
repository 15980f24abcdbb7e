// SPDX-License-Identifier: GPL-2.0
/* many/mod03: one of the 20 modules of the incrementality sample; uses mod02's symbol. */
#include <linux/init.h>
#include <linux/module.h>

int many_mod02_answer(void);

static int __init mod03_init(void)
{
	pr_info("mod03: mod02 answers %d\n", many_mod02_answer());
	return 0;
}

static void __exit mod03_exit(void)
{
	pr_info("mod03: unloaded\n");
}

module_init(mod03_init);
module_exit(mod03_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod03 (uses many_mod02_answer)");
