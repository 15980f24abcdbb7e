// SPDX-License-Identifier: GPL-2.0
/* many/mod02: one of the 20 modules of the incrementality sample; exports a symbol. */
#include <linux/init.h>
#include <linux/module.h>

int many_mod02_answer(void)
{
	return 42;
}
EXPORT_SYMBOL_GPL(many_mod02_answer);

static int __init mod02_init(void)
{
	pr_info("mod02: loaded\n");
	return 0;
}

static void __exit mod02_exit(void)
{
	pr_info("mod02: unloaded\n");
}

module_init(mod02_init);
module_exit(mod02_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rules_modsign incrementality sample: mod02 (exports many_mod02_answer)");
