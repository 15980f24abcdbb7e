package protocol

import (
	"fmt"
	"sort"
	"strings"
)

// CheckDmesg asks, for each module file (as in Expectations), that a kernel
// log line printed for its load contains the given text, e.g. "Loading of
// unsigned module is rejected". It returns one message per failure, quoting
// the module's result and kernel log lines.
func CheckDmesg(rep *Report, want map[string]string) []string {
	mods := make([]string, 0, len(want))
	for m := range want {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	var fails []string
	for _, m := range mods {
		rs := rep.Lookup(m)
		if len(rs) != 1 {
			fails = append(fails, fmt.Sprintf("module %s: expected kernel log %q, but the guest reported %d results for it", m, want[m], len(rs)))
			continue
		}
		found := false
		for _, l := range rs[0].dmesgLines(rep) {
			if strings.Contains(l, want[m]) {
				found = true
				break
			}
		}
		if !found {
			log := dmesgFor(rep, rs[0])
			if log == "" {
				log = "\n  kernel log: nothing"
			}
			fails = append(fails, fmt.Sprintf("module %s: no kernel log line contains %q:\n    %s%s", m, want[m], rs[0].Line, log))
		}
	}
	return fails
}
