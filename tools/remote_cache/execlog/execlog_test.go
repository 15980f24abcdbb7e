package execlog

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	spawns, err := ReadFile("testdata/second_build.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(spawns) != 5 {
		t.Fatalf("%d spawns, want 5 (newline-delimited and pretty-printed entries)", len(spawns))
	}
	s := Summarize(spawns)
	want := map[string]Counts{
		"ModsignKeygen": {Total: 1, DiskHit: 1},
		"ModsignSign":   {Total: 2, RemoteHit: 2},
		"KernelBuild":   {Total: 1, RemoteHit: 1},
		"Genrule":       {Total: 1, Executed: 1, LocalExec: 1},
	}
	if !reflect.DeepEqual(s.ByMnemonic, want) {
		t.Errorf("by mnemonic %+v, want %+v", s.ByMnemonic, want)
	}
	if s.All != (Counts{Total: 5, Executed: 1, RemoteHit: 3, DiskHit: 1, LocalExec: 1}) {
		t.Errorf("all %+v", s.All)
	}
	if !reflect.DeepEqual(s.Runners, map[string]int{"processwrapper-sandbox": 1}) {
		t.Errorf("runners %v", s.Runners)
	}
	if got := s.Mnemonics(); strings.Join(got, ",") != "Genrule,KernelBuild,ModsignKeygen,ModsignSign" {
		t.Errorf("mnemonics %v", got)
	}
}

func TestFlagValues(t *testing.T) {
	spawns, err := ReadFile("testdata/second_build.json")
	if err != nil {
		t.Fatal(err)
	}
	got := FlagValues(spawns, "--key", "ModsignSign", "ModsignKeygen")
	want := []string{"bazel-out/k8-fastbuild/bin/keys/dev.key.pem", "external/+_repo_rules+prod_key/key"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := FlagValues(spawns, "--key", "KernelBuild"); len(got) != 0 {
		t.Errorf("KernelBuild keys %v", got)
	}
}

func TestUnknownCacheHitRunner(t *testing.T) {
	s := Spawn{Runner: "some future cache", CacheHit: true}
	if s.Where() != "other-hit" {
		t.Errorf("where %s", s.Where())
	}
	if (Spawn{Runner: "local"}).Where() != "executed" {
		t.Error("local is not executed")
	}
}

func TestBadLogs(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"truncated.json": `{"mnemonic":"A","runner":"local"}` + "\n" + `{"mnemonic":`,
		"notspawn.json":  `{"foo": 1}`,
		"text.json":      "not json",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: no error")
	}
	// An empty log is valid (a fully up-to-date build runs no spawn).
	p := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := ReadFile(p); err != nil || len(s) != 0 {
		t.Errorf("empty log: %v %v", s, err)
	}
}

func TestRemoteExecution(t *testing.T) {
	spawns, err := ReadFile("testdata/remote_build.json")
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(spawns)
	want := map[string]Counts{
		"KernelModule":  {Total: 2, Executed: 2, RemoteExec: 2},
		"ModsignSign":   {Total: 1, Executed: 1, LocalExec: 1},
		"ModsignKeygen": {Total: 1, Executed: 1, LocalExec: 1},
		"KernelBuild":   {Total: 1, RemoteHit: 1},
	}
	if !reflect.DeepEqual(s.ByMnemonic, want) {
		t.Errorf("by mnemonic %+v, want %+v", s.ByMnemonic, want)
	}
	// What the executor was sent: the two KernelModule actions and their inputs, once
	// each; not the sign action's key (run here), nor the cache hit's inputs, nor a
	// directory without a digest.
	var got []string
	for _, f := range RemoteInputs(spawns) {
		got = append(got, f.Digest.Hash+"="+f.Path)
	}
	wantInputs := []string{"aa01=hello/hello.c", "aa02=hello/Kbuild", "aa03=many/m2.c",
		"ac01=(action of //hello:hello, KernelModule)", "ac02=(action of //many:m2, KernelModule)", "e3b0=hello/empty.h"}
	if !reflect.DeepEqual(got, wantInputs) {
		t.Errorf("remote inputs\n got %v\nwant %v", got, wantInputs)
	}
}
