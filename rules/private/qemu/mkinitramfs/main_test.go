package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// archive returns the uncompressed cpio of an initramfs.
func archive(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// --module-dir adds the directory's .ko files in name order, at its place among --module.
func TestModuleDir(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	if err := os.Mkdir(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(corpus, "b.ko"), "B")
	write(t, filepath.Join(corpus, "a.ko"), "A")
	write(t, filepath.Join(corpus, "MANIFEST"), "a.ko\tfirst\nb.ko\tsecond\n")
	write(t, filepath.Join(dir, "first.ko"), "F")
	write(t, filepath.Join(dir, "extra.ko"), "X")
	write(t, filepath.Join(dir, "init"), "INIT")
	out := filepath.Join(dir, "out.cpio.gz")
	err := run([]string{"--init", filepath.Join(dir, "init"), "--module", filepath.Join(dir, "first.ko"),
		"--module-dir", corpus, "--module", filepath.Join(dir, "extra.ko") + "=x-extra.ko", "--out", out})
	if err != nil {
		t.Fatal(err)
	}
	a := archive(t, out)
	want := "# load order: <file> [keep]\nfirst.ko\na.ko\nb.ko\nx-extra.ko\n"
	if !strings.Contains(a, want) {
		t.Errorf("manifest: want %q in the archive:\n%q", want, a)
	}
	if strings.Contains(a, "MANIFEST") {
		t.Error("a file that is not a .ko went into the initramfs")
	}
}

func TestModuleDirErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "init"), "INIT")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.cpio.gz")
	for _, c := range []struct{ dir, want string }{
		{empty, "holds no .ko file"},
		{filepath.Join(dir, "missing"), "reading module directory"},
	} {
		err := run([]string{"--init", filepath.Join(dir, "init"), "--module-dir", c.dir, "--out", out})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--module-dir %s: got %v, want an error with %q", c.dir, err, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--module-dir %s: an output was written despite the error", c.dir)
		}
	}
}
