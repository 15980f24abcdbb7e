package protocol

import (
	"strings"
	"testing"
)

func TestCheckDmesg(t *testing.T) {
	log := `MODSIGN-INIT start
MODSIGN-RESULT module=hello.ko name=hello result=EKEYREJECTED errno=129
MODSIGN-DMESG module=hello.ko <3>[    5.1] Loading of unsigned module is rejected
MODSIGN-RESULT module=foreign.ko name=hello result=EKEYREJECTED errno=129
MODSIGN-DMESG module=foreign.ko <3>[    5.2] Loading of module with unavailable key is rejected
MODSIGN-RESULT module=quiet.ko name=quiet result=loaded
MODSIGN-DONE results=3
`
	rep, _ := Parse(strings.NewReader(log))
	if fails := CheckDmesg(rep, map[string]string{
		"hello.ko":   "Loading of unsigned module is rejected",
		"foreign":    "with unavailable key is rejected",
		"foreign.ko": "Loading of module",
	}); len(fails) != 0 {
		t.Errorf("CheckDmesg failed: %q", fails)
	}
	fails := CheckDmesg(rep, map[string]string{
		"hello.ko":   "with unavailable key is rejected", // another module's line
		"quiet.ko":   "taints kernel",
		"missing.ko": "anything",
	})
	if len(fails) != 3 {
		t.Fatalf("want 3 failures, got %q", fails)
	}
	for i, w := range []string{"no kernel log line contains", "reported 0 results", "no kernel log line contains"} {
		if !strings.Contains(fails[i], w) {
			t.Errorf("failure %d = %q, want %q", i, fails[i], w)
		}
	}
	if !strings.Contains(fails[0], "Loading of unsigned module is rejected") || !strings.Contains(fails[2], "kernel log: nothing") {
		t.Errorf("failures do not quote the log: %q", fails)
	}
}
