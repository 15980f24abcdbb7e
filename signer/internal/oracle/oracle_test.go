package oracle

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingOracleFailsWhenRequired runs this test binary on a tool that
// does not exist: it must fail (not skip) with CI=true or
// MODSIGN_REQUIRE_ORACLES=1, and skip loudly otherwise.
func TestMissingOracleFailsWhenRequired(t *testing.T) {
	if os.Getenv("ORACLE_TEST_CHILD") == "1" {
		Find(t, "/nonexistent/modsign-oracle", "nothing")
		t.Log("FOUND")
		return
	}
	for _, c := range []struct {
		env      []string
		fail     bool
		wantText string
	}{
		{[]string{"CI=true"}, true, "ORACLE MISSING"},
		{[]string{"CI=", "MODSIGN_REQUIRE_ORACLES=1"}, true, "ORACLE MISSING"},
		{[]string{"CI=", "MODSIGN_REQUIRE_ORACLES="}, false, "SKIPPING"},
		{[]string{"CI=false", "MODSIGN_REQUIRE_ORACLES="}, false, "SKIPPING"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=TestMissingOracleFailsWhenRequired", "-test.v")
		cmd.Env = append(append(os.Environ(), "ORACLE_TEST_CHILD=1"), c.env...)
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.fail || !strings.Contains(string(out), c.wantText) || strings.Contains(string(out), "FOUND") {
			t.Errorf("%v: err=%v\n%s", c.env, err, out)
		}
	}
}
