/* SPDX-License-Identifier: GPL-2.0 */
/* rules/tests fixture: only analysed, never compiled by the tests. */
#define GREETING "hello from rules_modsign's analysis tests"
