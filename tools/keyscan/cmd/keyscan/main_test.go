package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func storeBlob(t *testing.T, dir string, content []byte) {
	t.Helper()
	sum := sha256.Sum256(content)
	h := hex.EncodeToString(sum[:])
	p := filepath.Join(dir, "cas.v2", h[:2], h+"-1.v1")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLI(t *testing.T) {
	tmp := t.TempDir()
	key := filepath.Join(tmp, "dummy.pem")
	other := filepath.Join(tmp, "other.pem")
	if code, _, e := runCLI(t, "genkey", "--type", "p256", "--out", key); code != 0 {
		t.Fatalf("genkey: %d %s", code, e)
	}
	if code, _, e := runCLI(t, "genkey", "--type", "rsa2048", "--out", other); code != 0 {
		t.Fatalf("genkey: %d %s", code, e)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("genkey output: %v %v", st, err)
	}
	keyPEM, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(tmp, "store")
	storeBlob(t, store, []byte("innocent output"))

	// Clean store: --expect 0 passes, --expect-found fails.
	if code, out, e := runCLI(t, "--dir", store, "--key", "dummy="+key, "--expect", "0"); code != 0 ||
		!strings.Contains(out, "key dummy (ecdsa") || !strings.Contains(out, "total key matches: 0") {
		t.Fatalf("clean --expect 0: %d\n%s%s", code, out, e)
	}
	if code, _, e := runCLI(t, "--dir", store, "--key", key, "--expect-found"); code != 1 || !strings.Contains(e, "dummy.pem was expected") {
		t.Fatalf("clean --expect-found: %d %s", code, e)
	}

	// The key uploaded: --expect 0 fails, --expect-found passes for it.
	storeBlob(t, store, append([]byte("prefix "), keyPEM...))
	list := filepath.Join(tmp, "keys.txt")
	if err := os.WriteFile(list, []byte("# keys\nother="+other+"\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(tmp, "report.json")
	code, out, e := runCLI(t, "--dir", store, "--key", "dummy="+key, "--key-list", list, "--expect", "0", "--json", jsonPath)
	if code != 1 || !strings.Contains(e, "expected 0") || !strings.Contains(out, "MATCH pem-pkcs8 in cas blob") {
		t.Fatalf("leaked --expect 0: %d\n%s%s", code, out, e)
	}
	if strings.Contains(out+e, strings.Split(string(keyPEM), "\n")[1]) {
		t.Fatal("output contains key material")
	}
	var rep struct {
		Blobs int `json:"blobs_scanned"`
		Keys  []struct {
			Name    string `json:"name"`
			Matches []any  `json:"matches"`
		} `json:"keys"`
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Blobs != 2 || len(rep.Keys) != 2 || rep.Keys[0].Name != "dummy" || len(rep.Keys[0].Matches) == 0 || len(rep.Keys[1].Matches) != 0 {
		t.Fatalf("json report: %s", data)
	}
	if code, _, e := runCLI(t, "--dir", store, "--key", key, "--expect-found"); code != 0 {
		t.Fatalf("leaked --expect-found: %d %s", code, e)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	tmp := t.TempDir()
	notKey := filepath.Join(tmp, "notkey")
	if err := os.WriteFile(notKey, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{},
		{"--dir", tmp},
		{"--dir", tmp, "--key", notKey},
		{"--dir", tmp, "--key", filepath.Join(tmp, "missing")},
		{"--dir", filepath.Join(tmp, "missing"), "--key", notKey},
		{"--dir", tmp, "--key", notKey, "--expect", "1"},
		{"genkey", "--type", "dsa", "--out", filepath.Join(tmp, "k")},
		{"genkey"},
	}
	for _, args := range cases {
		if code, _, e := runCLI(t, args...); code != 2 || e == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, e)
		}
	}
	code, _, e := runCLI(t, "--dir", tmp, "--key", notKey)
	if !strings.Contains(e, notKey) {
		t.Errorf("error does not name the file: %d %s", code, e)
	}
}

// PATHs mode, as kernel_build and the no-keys tests run it.
func TestCLIPaths(t *testing.T) {
	tmp := t.TempDir()
	key := filepath.Join(tmp, "k.pem")
	if code, _, e := runCLI(t, "genkey", "--type", "rsa2048", "--out", key); code != 0 {
		t.Fatalf("genkey: %d %s", code, e)
	}
	out := filepath.Join(tmp, "out")
	if err := os.MkdirAll(filepath.Join(out, "tree"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "tree", "bzImage"), []byte("kernel image"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, o, e := runCLI(t, "--key", "kernel="+key, "--any-key", "--expect", "0", out); code != 0 || !strings.Contains(o, "1 files scanned") {
		t.Fatalf("clean outputs: %d\n%s%s", code, o, e)
	}
	if code, _, e := runCLI(t, "--any-key", "--expect-found", out); code != 1 || !strings.Contains(e, "none found") {
		t.Fatalf("--any-key --expect-found on clean outputs: %d %s", code, e)
	}
	pemKey, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "tree", "leak"), pemKey, 0o644); err != nil {
		t.Fatal(err)
	}
	code, o, e := runCLI(t, "--key", "kernel="+key, "--any-key", "--expect", "0", out)
	if code != 1 || !strings.Contains(o, filepath.Join(out, "tree", "leak")) || !strings.Contains(o, "PRIVATE KEY "+filepath.Join(out, "tree", "leak")) {
		t.Fatalf("leak: %d\n%s%s", code, o, e)
	}
	if strings.Contains(o+e, string(pemKey[30:90])) {
		t.Fatal("the report shows key bytes")
	}
	if code, _, _ := runCLI(t, "--any-key", "--expect-found", out); code != 0 {
		t.Fatalf("--any-key --expect-found with a key present: %d", code)
	}
	for _, args := range [][]string{
		{"--any-key"},
		{out},
		{"--dir", out, "--any-key", "--key", key},
		{"--dir", out, "--key", key, out},
		{"--any-key", filepath.Join(tmp, "missing")},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("keyscan %q: exit %d, want 2", args, code)
		}
	}
}
