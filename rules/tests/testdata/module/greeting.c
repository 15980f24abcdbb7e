// SPDX-License-Identifier: GPL-2.0
/* rules/tests fixture for kernel_module analysis tests (never compiled there). */
#include <linux/init.h>
#include <linux/module.h>
#include "greeting.h"

static int __init greeting_init(void)
{
	pr_info("%s\n", GREETING);
	return 0;
}

static void __exit greeting_exit(void)
{
}

module_init(greeting_init);
module_exit(greeting_exit);
MODULE_LICENSE("GPL");
