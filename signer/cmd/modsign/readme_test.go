package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmePath is the repository's README, a data dependency under bazel test.
const readmePath = "../../../README.md"

// TestREADMESynopsis: the synopsis block the README shows after "`modsign
// --help` prints this synopsis:" is the usage text's, line for line (without
// its two-space indent), so the README cannot drift from --help.
func TestREADMESynopsis(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	readme := string(b)
	const marker = "`modsign --help` prints this synopsis:"
	i := strings.Index(readme, marker)
	if i < 0 {
		t.Fatalf("%s has no %q", readmePath, marker)
	}
	rest := readme[i:]
	start := strings.Index(rest, "```\n")
	if start < 0 {
		t.Fatalf("%s: no code block after %q", readmePath, marker)
	}
	rest = rest[start+4:]
	end := strings.Index(rest, "```")
	if end < 0 {
		t.Fatalf("%s: the synopsis block is not closed", readmePath)
	}
	got := strings.Split(strings.TrimRight(rest[:end], "\n"), "\n")

	u := usage[strings.Index(usage, "Usage:\n")+len("Usage:\n"):]
	u = u[:strings.Index(u, "\n\n")]
	var want []string
	for _, l := range strings.Split(u, "\n") {
		if !strings.HasPrefix(l, "  ") {
			t.Fatalf("usage line %q is not indented by two spaces", l)
		}
		want = append(want, l[2:])
	}
	if len(got) != len(want) {
		t.Errorf("the README's synopsis has %d lines, modsign --help %d", len(got), len(want))
	}
	for j := 0; j < len(got) || j < len(want); j++ {
		var g, w string
		if j < len(got) {
			g = got[j]
		}
		if j < len(want) {
			w = want[j]
		}
		if g != w {
			t.Errorf("synopsis line %d:\n README: %q\n --help: %q", j+1, g, w)
		}
	}
	// Every command of the synopsis is one modsign runs, and every --flag the
	// synopsis gives it is one of that command's flags.
	flags := map[string][]string{}
	var order []string
	cmd := ""
	for _, l := range want {
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "modsign" {
			cmd = f[1]
			if _, seen := flags[cmd]; !seen {
				order = append(order, cmd)
			}
			flags[cmd] = append(flags[cmd], "")
		}
		for _, m := range flagRE.FindAllStringSubmatch(l, -1) {
			flags[cmd] = append(flags[cmd], m[1])
		}
	}
	for _, c := range order {
		code, stdout, stderr := runCLI(t, nil, c, "-h")
		help := stdout + stderr
		if strings.Contains(help, "unknown command") {
			t.Errorf("the synopsis names %q, which is not a modsign command", c)
			continue
		}
		if code != 0 && code != 2 {
			t.Errorf("modsign %s -h: exit %d: %s", c, code, help)
		}
		for _, fl := range flags[c] {
			if fl != "" && !strings.Contains(help, "  -"+fl+" ") && !strings.Contains(help, "  -"+fl+"\n") {
				t.Errorf("the synopsis gives modsign %s --%s, which its -h does not list:\n%s", c, fl, help)
			}
		}
	}
}

var flagRE = regexp.MustCompile(`--([a-z0-9][a-z0-9-]*)`)
