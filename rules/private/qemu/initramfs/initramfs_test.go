package initramfs

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

func readBack(t *testing.T, data []byte) map[string]cpio.Record {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("reading cpio: %v", err)
	}
	out := map[string]cpio.Record{}
	var names []string
	for _, r := range recs {
		out[r.Name] = r
		names = append(names, r.Name)
	}
	want := "dev dev/console init modules modules/a.ko modules/b.ko modules/manifest"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("record order = %q, want %q", got, want)
	}
	return out
}

func content(t *testing.T, r cpio.Record) string {
	t.Helper()
	b, err := io.ReadAll(io.NewSectionReader(r.ReaderAt, 0, int64(r.FileSize)))
	if err != nil {
		t.Fatalf("%s: %v", r.Name, err)
	}
	return string(b)
}

func TestWriteDeterministicAndComplete(t *testing.T) {
	spec := Spec{
		Init: []byte("\x7fELF fake init"),
		Modules: []Module{
			{Name: "b.ko", Data: []byte("module b"), Keep: true},
			{Name: "a.ko", Data: []byte("module a")},
		},
	}
	var one, two bytes.Buffer
	if err := Write(&one, spec); err != nil {
		t.Fatal(err)
	}
	if err := Write(&two, spec); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Fatal("two writes of the same spec differ")
	}
	recs := readBack(t, one.Bytes())
	con := recs["dev/console"]
	if con.Mode&cpio.S_IFMT != cpio.S_IFCHR || con.Rmajor != 5 || con.Rminor != 1 {
		t.Errorf("dev/console = mode %o rdev %d:%d, want char device 5:1", con.Mode, con.Rmajor, con.Rminor)
	}
	in := recs["init"]
	if in.Mode&0o777 != 0o755 || content(t, in) != "\x7fELF fake init" {
		t.Errorf("init: mode %o content %q", in.Mode, content(t, in))
	}
	if got := content(t, recs["modules/a.ko"]); got != "module a" {
		t.Errorf("modules/a.ko = %q", got)
	}
	// Load order is the spec's order, not the archive's name order.
	if got, want := content(t, recs["modules/manifest"]), "# load order: <file> [keep]\nb.ko keep\na.ko\n"; got != want {
		t.Errorf("manifest = %q, want %q", got, want)
	}
	for name, r := range recs {
		if r.MTime != 0 || r.UID != 0 || r.GID != 0 {
			t.Errorf("%s: mtime %d uid %d gid %d, want all 0", name, r.MTime, r.UID, r.GID)
		}
	}
	// A different module content must change the archive.
	spec.Modules[1].Data = []byte("module A")
	var three bytes.Buffer
	if err := Write(&three, spec); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(one.Bytes(), three.Bytes()) {
		t.Error("changing a module did not change the archive")
	}
}

func TestWriteRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "a/b.ko", "manifest", "..", "a b.ko"} {
		err := Write(io.Discard, Spec{Init: []byte("x"), Modules: []Module{{Name: name, Data: []byte("m")}}})
		if err == nil {
			t.Errorf("name %q: no error", name)
		}
	}
	err := Write(io.Discard, Spec{Init: []byte("x"), Modules: []Module{{Name: "a.ko"}, {Name: "a.ko"}}})
	if err == nil {
		t.Error("duplicate names: no error")
	}
	if err := Write(io.Discard, Spec{}); err == nil {
		t.Error("empty init: no error")
	}
}
