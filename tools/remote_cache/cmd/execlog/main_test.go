package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A second build's log: the dev key from the disk cache, signing from the
// remote cache, one genrule run.
const logText = `{"commandArgs":["modsign","keygen","--key","bazel-out/k8-fastbuild/bin/keys/dev.key.pem"],"mnemonic":"ModsignKeygen","runner":"disk cache hit","cacheHit":true,"targetLabel":"//keys:dev"}
{"commandArgs":["modsign","sign","--key","bazel-out/k8-fastbuild/bin/keys/dev.key.pem","--out","a.ko","a.ko"],"mnemonic":"ModsignSign","runner":"remote cache hit","cacheHit":true,"targetLabel":"//mods:a_signed"}
{"commandArgs":["modsign","sign","--key=external/+_repo_rules+prod_key/key","b.ko"],"mnemonic":"ModsignSign","runner":"remote cache hit","cacheHit":true,"targetLabel":"//mods:batch"}
{"commandArgs":["bash","kernel_build.sh"],"mnemonic":"KernelBuild","runner":"remote cache hit","cacheHit":true,"targetLabel":"//kernel:k"}
{"commandArgs":["bash","-c","true"],"mnemonic":"Genrule","runner":"processwrapper-sandbox","targetLabel":"//x:y"}
`

var log string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "execlog-test")
	if err != nil {
		panic(err)
	}
	log = filepath.Join(dir, "exec.json")
	if err := os.WriteFile(log, []byte(logText), 0o644); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSummaryLimits(t *testing.T) {
	code, out, e := runCLI("summary", "--max-executed", "ModsignSign=0", "--min-total", "ModsignSign=2",
		"--min-remote-hits", "KernelBuild=1", "--json", filepath.Join(t.TempDir(), "s.json"), log)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	for _, want := range []string{"ModsignSign", "ALL", "processwrapper-sandbox=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Limits that the log breaks make it fail, naming the culprits.
	code, _, e = runCLI("summary", "--max-executed", "*=0", log)
	if code != 1 || !strings.Contains(e, "executed: Genrule //x:y") {
		t.Errorf("max-executed *=0: exit %d, %s", code, e)
	}
	code, _, e = runCLI("summary", "--min-total", "ModsignSign=3", log)
	if code != 1 || !strings.Contains(e, "at least 3") {
		t.Errorf("min-total: exit %d, %s", code, e)
	}
	if code, _, e := runCLI("summary", "--all-remote", "ModsignSign", "--all-remote", "KernelBuild", log); code != 0 {
		t.Errorf("all-remote: exit %d, %s", code, e)
	}
	code, _, e = runCLI("summary", "--all-remote", "ModsignKeygen", log)
	if code != 1 || !strings.Contains(e, "not from the remote cache: ModsignKeygen //keys:dev") {
		t.Errorf("all-remote keygen: exit %d, %s", code, e)
	}
	code, _, e = runCLI("summary", "--all-remote", "QemuInitramfs", log)
	if code != 1 || !strings.Contains(e, "0 of 0") {
		t.Errorf("all-remote absent: exit %d, %s", code, e)
	}
	code, _, e = runCLI("summary", "--min-remote-hits", "ModsignKeygen=1", log)
	if code != 1 || !strings.Contains(e, "remote cache hits") {
		t.Errorf("min-remote-hits: exit %d, %s", code, e)
	}
}

func TestFlagValuesCLI(t *testing.T) {
	code, out, e := runCLI("flag-values", "--flag", "--key", "--mnemonic", "ModsignSign", log)
	if code != 0 || out != "bazel-out/k8-fastbuild/bin/keys/dev.key.pem\nexternal/+_repo_rules+prod_key/key\n" {
		t.Errorf("exit %d, out %q, err %s", code, out, e)
	}
}

func TestCountCLI(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mnemonic", "ModsignSign"}, "2\n"},
		{[]string{"--mnemonic", "ModsignSign", "--where", "executed"}, "0\n"},
		{[]string{"--mnemonic", "KernelBuild", "--where", "remote-hit"}, "1\n"},
		{[]string{"--mnemonic", "ModsignKeygen", "--where", "disk-hit"}, "1\n"},
		{[]string{"--mnemonic", "*", "--where", "executed"}, "1\n"},
		{[]string{"--mnemonic", "*"}, "5\n"},
		{[]string{"--mnemonic", "ModsignSign", "--labels"}, "//mods:a_signed\n//mods:batch\n"},
		{[]string{"--mnemonic", "*", "--where", "executed", "--labels"}, "//x:y\n"},
		{[]string{"--mnemonic", "QemuInitramfs", "--labels"}, ""},
	} {
		code, out, e := runCLI(append(append([]string{"count"}, c.args...), log)...)
		if code != 0 || out != c.want {
			t.Errorf("count %q: exit %d, out %q (want %q), err %s", c.args, code, out, c.want, e)
		}
	}
}

func TestUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{}, {"nope"}, {"summary"}, {"summary", bad}, {"summary", "--max-executed", "X", log},
		{"flag-values", log}, {"flag-values", "--flag", "--key", log},
		{"count", log}, {"count", "--mnemonic", "X", "--where", "nowhere", log}, {"count", "--mnemonic", "X", bad},
	} {
		if code, _, e := runCLI(args...); code != 2 || e == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, e)
		}
	}
}

func TestRemoteExecutionLimits(t *testing.T) {
	rlog := filepath.Join("..", "..", "execlog", "testdata", "remote_build.json")
	code, out, e := runCLI("summary", "--all-remote-exec", "KernelModule", "--max-remote-exec", "ModsignSign=0",
		"--max-remote-exec", "ModsignKeygen=0", "--max-local", "KernelModule=0", rlog)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if !strings.Contains(out, "remote-exec") {
		t.Errorf("no remote-exec column:\n%s", out)
	}
	// A sign action that ran remotely, or a compile that ran here, fails naming it.
	code, _, e = runCLI("summary", "--all-remote-exec", "ModsignSign", rlog)
	if code != 1 || !strings.Contains(e, "not run remotely: ModsignSign //hello:hello_signed") {
		t.Errorf("all-remote-exec ModsignSign: exit %d, %s", code, e)
	}
	code, _, e = runCLI("summary", "--max-remote-exec", "KernelModule=1", rlog)
	if code != 1 || !strings.Contains(e, "ran remotely: KernelModule //many:m2") {
		t.Errorf("max-remote-exec: exit %d, %s", code, e)
	}
	code, _, e = runCLI("summary", "--max-local", "*=1", rlog)
	if code != 1 || !strings.Contains(e, "ran here: ModsignKeygen //keys:dev") {
		t.Errorf("max-local: exit %d, %s", code, e)
	}
	// A cache hit is no remote execution: --all-remote-exec fails for it.
	code, _, _ = runCLI("summary", "--all-remote-exec", "KernelBuild", rlog)
	if code != 1 {
		t.Errorf("all-remote-exec KernelBuild (a cache hit): exit %d", code)
	}
	for where, want := range map[string]string{
		"remote-exec": "//hello:hello\n//many:m2\n",
		"local":       "//hello:hello_signed\n//keys:dev\n",
		"executed":    "//hello:hello\n//many:m2\n//hello:hello_signed\n//keys:dev\n",
	} {
		if code, out, e := runCLI("count", "--mnemonic", "*", "--where", where, "--labels", rlog); code != 0 || out != want {
			t.Errorf("count --where %s: exit %d, out %q (want %q), err %s", where, code, out, want, e)
		}
	}
	code, out, e = runCLI("remote-inputs", rlog)
	if code != 0 || !strings.Contains(out, "aa02 14 hello/Kbuild\n") || !strings.Contains(out, "e3b0 0 hello/empty.h\n") ||
		strings.Contains(out, "ff01") || strings.Contains(out, "aa09") {
		t.Errorf("remote-inputs: exit %d, out %q, err %s", code, out, e)
	}
}
