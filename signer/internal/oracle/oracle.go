// Package oracle finds the real tools the signer's tests compare against
// (Debian's sign-file, kmod's modinfo, openssl). A missing oracle skips the
// test loudly on a developer machine, and fails it when oracles are
// required: CI=true (or any CI value but "false"/"0") or
// MODSIGN_REQUIRE_ORACLES=1, so a test that cannot compare never passes in CI.
package oracle

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Required reports whether a missing oracle must fail the test.
func Required() bool {
	if os.Getenv("MODSIGN_REQUIRE_ORACLES") == "1" {
		return true
	}
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}

// Find returns the path of tool: an absolute path that exists, or a name
// looked up in $PATH and then in /usr/sbin and /sbin (bazel test runs with
// a short PATH). When it is missing, the test fails if Required, else skips.
func Find(t testing.TB, tool, install string) string {
	t.Helper()
	if p := lookup(tool); p != "" {
		return p
	}
	if Required() {
		t.Fatalf("ORACLE MISSING: %s is not installed, and oracles are required here (CI=%q, MODSIGN_REQUIRE_ORACLES=%q); install it with %s",
			tool, os.Getenv("CI"), os.Getenv("MODSIGN_REQUIRE_ORACLES"), install)
	}
	t.Skipf("!!! SKIPPING: the oracle %s is not installed (install it with %s); with CI=true or MODSIGN_REQUIRE_ORACLES=1 this fails", tool, install)
	return ""
}

func lookup(tool string) string {
	if filepath.IsAbs(tool) {
		if _, err := os.Stat(tool); err == nil {
			return tool
		}
		return ""
	}
	if p, err := exec.LookPath(tool); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := filepath.Join(dir, tool)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Optional is Find for a comparison that is one part of a larger test: when
// the tool is missing and oracles are not required it logs loudly and
// returns "" (the caller leaves that comparison out) instead of skipping.
func Optional(t testing.TB, tool, install string) string {
	t.Helper()
	if p := lookup(tool); p != "" {
		return p
	}
	if Required() {
		t.Fatalf("ORACLE MISSING: %s is not installed, and oracles are required here (CI=%q, MODSIGN_REQUIRE_ORACLES=%q); install it with %s",
			tool, os.Getenv("CI"), os.Getenv("MODSIGN_REQUIRE_ORACLES"), install)
	}
	t.Logf("!!! LEAVING OUT the comparison with %s: it is not installed (install it with %s)", tool, install)
	return ""
}
