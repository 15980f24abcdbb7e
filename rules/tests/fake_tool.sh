#!/usr/bin/env bash
# A stand-in for modsign and qemu-system-* in the toolchain analysis tests (toolchains_test.bzl):
# those tests only analyse, so this never runs as a real tool.
echo "fake_tool.sh: a stand-in of the rules_modsign analysis tests, not a real tool" >&2
exit 1
