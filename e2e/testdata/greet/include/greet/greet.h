/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GREET_GREET_H
#define GREET_GREET_H
#define GREET_BASE 40
int greet_count(int n);
#endif
