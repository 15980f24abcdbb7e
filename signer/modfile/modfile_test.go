package modfile

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/internal/oracle"
)

const module = "../testdata/modules/nhc_hop.ko"

// compressWith compresses a copy of module with a real tool, with the options Kbuild's
// modules_install uses (scripts/Makefile.modinst), and returns the compressed file's path.
func compressWith(t *testing.T, c Compression) string {
	t.Helper()
	data, err := os.ReadFile(module)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "m.ko")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	var out string
	switch c {
	case Gzip:
		cmd, out = exec.Command(oracle.Find(t, "gzip", "apt-get install gzip"), "-n", "-f", src), src+".gz"
	case XZ:
		cmd, out = exec.Command(oracle.Find(t, "xz", "apt-get install xz-utils"), "--check=crc32", "--lzma2=dict=1MiB", "-f", src), src+".xz"
	case Zstd:
		cmd, out = exec.Command(oracle.Find(t, "zstd", "apt-get install zstd"), "-T0", "--rm", "-f", "-q", src), src+".zst"
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, b)
	}
	return out
}

func TestReadDecompressesWhatKbuildCompresses(t *testing.T) {
	want, err := os.ReadFile(module)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Compression{Gzip, XZ, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			p := compressWith(t, c)
			raw, _ := os.ReadFile(p)
			if got := Detect(raw); got != c {
				t.Fatalf("Detect = %q, want %q", got, c)
			}
			got, gc, err := Read(p)
			if err != nil {
				t.Fatal(err)
			}
			if gc != c || !bytes.Equal(got, want) {
				t.Fatalf("Read(%s) = %d bytes (%q), want the %d bytes of %s", p, len(got), gc, len(want), module)
			}
			if err := RefuseCompressed(p, raw); !errors.Is(err, ErrCompressed) || !strings.Contains(err.Error(), p) {
				t.Fatalf("RefuseCompressed = %v, want ErrCompressed naming %s", err, p)
			}
		})
	}
}

func TestUncompressedIsReturnedAsIs(t *testing.T) {
	want, _ := os.ReadFile(module)
	got, c, err := Read(module)
	if err != nil || c != None || !bytes.Equal(got, want) {
		t.Fatalf("Read = %d bytes, %q, %v", len(got), c, err)
	}
	if err := RefuseCompressed(module, want); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptNamesTheFile(t *testing.T) {
	for _, c := range []Compression{Gzip, XZ, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			p := compressWith(t, c)
			raw, _ := os.ReadFile(p)
			// Cut the stream in half: every format notices a truncated stream.
			if err := os.WriteFile(p, raw[:len(raw)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := Read(p)
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), string(c)) {
				t.Fatalf("Read of a truncated %s stream = %v, want an error naming %s and %s", c, err, p, c)
			}
		})
	}
}
