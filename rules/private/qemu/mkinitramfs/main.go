// Command mkinitramfs writes the initramfs for a rules_modsign QEMU test.
//
//	mkinitramfs --init INIT [--module FILE.ko=NAME]... [--module-dir DIR]... [--keep-module FILE.ko=NAME]... --out initramfs.cpio.gz
//
// --module entries are loaded in the order given and unloaded again after a
// successful load; --module-dir adds every *.ko file of DIR (a tree artifact,
// e.g. a generated corpus) at that place, in name order, named by its base
// name; --keep-module entries (dependencies) are loaded first, in
// their order, and stay loaded. NAME is the file name under /modules that the
// guest reports results for; "=NAME" may be left out to use FILE's base name.
// The archive is byte-identical for identical inputs.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/initramfs"
)

type moduleFlag struct {
	keep bool
	list *[]initramfs.Module
	read func(string) ([]byte, error)
}

func (m moduleFlag) String() string { return "" }

func (m moduleFlag) Set(v string) error {
	file, name, ok := strings.Cut(v, "=")
	if !ok {
		name = filepath.Base(file)
	}
	if file == "" {
		return fmt.Errorf("want FILE.ko[=NAME], got %q", v)
	}
	data, err := m.read(file)
	if err != nil {
		return fmt.Errorf("reading module: %w", err)
	}
	*m.list = append(*m.list, initramfs.Module{Name: name, Data: data, Keep: m.keep})
	return nil
}

// moduleDirFlag adds the *.ko files of a directory to list, in name order.
type moduleDirFlag struct {
	list *[]initramfs.Module
}

func (m moduleDirFlag) String() string { return "" }

func (m moduleDirFlag) Set(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading module directory: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".ko") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("module directory %s holds no .ko file", dir)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return fmt.Errorf("reading module: %w", err)
		}
		*m.list = append(*m.list, initramfs.Module{Name: n, Data: data})
	}
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "mkinitramfs: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("mkinitramfs", flag.ContinueOnError)
	initPath := fs.String("init", "", "the static init executable (required)")
	out := fs.String("out", "", "output initramfs.cpio.gz (required)")
	var keep, mods []initramfs.Module
	fs.Var(moduleFlag{keep: true, list: &keep, read: os.ReadFile}, "keep-module", "FILE.ko[=NAME] loaded first and kept loaded (repeatable)")
	fs.Var(moduleFlag{list: &mods, read: os.ReadFile}, "module", "FILE.ko[=NAME] to load, in order (repeatable)")
	fs.Var(moduleDirFlag{list: &mods}, "module-dir", "DIR: every DIR/*.ko to load, in name order, at this place among --module (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *initPath == "" || *out == "" {
		return errors.New("--init and --out are required")
	}
	initData, err := os.ReadFile(*initPath)
	if err != nil {
		return fmt.Errorf("reading init: %w", err)
	}
	var buf bytes.Buffer
	if err := initramfs.Write(&buf, initramfs.Spec{Init: initData, Modules: append(keep, mods...)}); err != nil {
		return err
	}
	return writeAtomic(*out, buf.Bytes())
}

// writeAtomic writes data to a temp file next to path and renames it.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("creating output: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("renaming into %s: %w", path, err)
	}
	return nil
}
