// Package initramfs writes the deterministic initramfs of the rules_modsign
// QEMU tests: a gzip-compressed newc cpio archive holding /dev/console, /init
// and /modules/<file> plus /modules/manifest (the load order for the init).
//
// The cpio records come from u-root's maintained pkg/cpio (newc writer with
// character-device records). Every record has mtime 0, uid/gid 0, a
// sequential inode number and one link, records are written in name order,
// and the gzip header carries no name or time, so the same inputs always give
// the same bytes.
package initramfs

import (
	"compress/gzip"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/u-root/u-root/pkg/cpio"
)

// Module is one kernel module to put into /modules.
type Module struct {
	Name string // file name under /modules; a plain name, no slashes
	Data []byte
	Keep bool // stays loaded (a dependency of later modules)
}

// Spec describes an initramfs.
type Spec struct {
	Init    []byte   // the /init executable
	Modules []Module // in load order
}

// Write writes the gzip-compressed cpio archive for spec to w.
func Write(w io.Writer, spec Spec) error {
	if len(spec.Init) == 0 {
		return fmt.Errorf("initramfs: the init executable is empty")
	}
	seen := map[string]bool{"manifest": true}
	var manifest strings.Builder
	manifest.WriteString("# load order: <file> [keep]\n")
	recs := []cpio.Record{
		cpio.Directory("dev", 0o755),
		cpio.CharDev("dev/console", 0o600, 5, 1),
		cpio.StaticFile("init", string(spec.Init), 0o755),
		cpio.Directory("modules", 0o755),
	}
	for _, m := range spec.Modules {
		if m.Name == "" || strings.ContainsAny(m.Name, "/ \t\n\x00") || m.Name == "." || m.Name == ".." {
			return fmt.Errorf("initramfs: module name %q: want a plain file name without slashes or spaces", m.Name)
		}
		if seen[m.Name] {
			return fmt.Errorf("initramfs: module name %q used twice (or reserved)", m.Name)
		}
		seen[m.Name] = true
		recs = append(recs, cpio.StaticFile(path.Join("modules", m.Name), string(m.Data), 0o644))
		manifest.WriteString(m.Name)
		if m.Keep {
			manifest.WriteString(" keep")
		}
		manifest.WriteString("\n")
	}
	recs = append(recs, cpio.StaticFile("modules/manifest", manifest.String(), 0o644))
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	for i := range recs {
		recs[i] = cpio.MakeReproducible(recs[i])
		recs[i].Ino = uint64(i + 1)
		recs[i].NLink = 1
		if recs[i].Mode&cpio.S_IFMT == cpio.S_IFDIR {
			recs[i].NLink = 2
		}
	}

	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("initramfs: gzip: %w", err)
	}
	cw := cpio.Newc.Writer(zw)
	if err := cpio.WriteRecords(cw, recs); err != nil {
		return fmt.Errorf("initramfs: writing cpio records: %w", err)
	}
	if err := cpio.WriteTrailer(cw); err != nil {
		return fmt.Errorf("initramfs: writing cpio trailer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("initramfs: finishing gzip stream: %w", err)
	}
	return nil
}
