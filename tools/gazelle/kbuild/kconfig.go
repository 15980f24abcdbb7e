package kbuild

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Kconfig symbol types, as far as Kbuild files care: a bool symbol is "y"
// or "n" (never "m"), a tristate one may be "m".
const (
	kconfigBool     = "bool"
	kconfigTristate = "tristate"
	kconfigOther    = "other" // string, int, hex: its value is not known
)

// KconfigTypes maps a symbol name (without CONFIG_) to its type.
type KconfigTypes map[string]string

// Value is the value assumed for CONFIG_<sym> in the configuration where
// every symbol is enabled: "m" for a tristate, "y" for a bool, "" when the
// symbol is not a bool or tristate of any Kconfig file read.
func (k KconfigTypes) Value(configSym string) string {
	switch k[strings.TrimPrefix(configSym, "CONFIG_")] {
	case kconfigTristate:
		return "m"
	case kconfigBool:
		return "y"
	}
	return ""
}

// ParseKconfig adds the types of the symbols defined in one Kconfig file
// (config and menuconfig entries) to k. A symbol that is a tristate in
// any file is a tristate (it may be built as a module somewhere).
func (k KconfigTypes) ParseKconfig(data []byte) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	sym := ""
	helpIndent := -2 // -2: not in help text; -1: in help text, indent not yet known
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if helpIndent != -2 {
			if trimmed == "" {
				continue
			}
			ind := indentWidth(line)
			if helpIndent == -1 {
				helpIndent = ind
				continue
			}
			if ind >= helpIndent {
				continue
			}
			helpIndent = -2
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		fields := strings.Fields(trimmed)
		switch fields[0] {
		case "config", "menuconfig":
			sym = ""
			if len(fields) >= 2 {
				sym = fields[1]
			}
		case "help", "---help---":
			helpIndent = -1
		case "bool", "boolean", "def_bool":
			k.setType(sym, kconfigBool)
		case "tristate", "def_tristate":
			k.setType(sym, kconfigTristate)
		case "string", "int", "hex":
			k.setType(sym, kconfigOther)
		case "menu", "endmenu", "choice", "endchoice", "if", "endif", "source", "comment", "mainmenu":
			sym = ""
		}
	}
}

func (k KconfigTypes) setType(sym, typ string) {
	if sym == "" {
		return
	}
	switch old := k[sym]; {
	case old == "", old == kconfigOther && typ != kconfigOther, typ == kconfigTristate:
		k[sym] = typ
	}
}

func indentWidth(s string) int {
	n := 0
	for _, c := range s {
		switch c {
		case ' ':
			n++
		case '\t':
			n = (n/8 + 1) * 8
		default:
			return n
		}
	}
	return n
}

// ReadKconfigTree reads every Kconfig* file below root. skipDir tells
// which directories (relative to root, slash-separated) not to enter;
// directories whose name starts with "." or "bazel-" are never entered.
func ReadKconfigTree(root string, skipDir func(rel string) bool) (KconfigTypes, int, error) {
	k := KconfigTypes{}
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // an unreadable directory: no Kconfig from it
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "bazel-") || (skipDir != nil && skipDir(rel))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(d.Name(), "Kconfig") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading Kconfig file %s: %w", rel, err)
		}
		k.ParseKconfig(data)
		files++
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return k, files, nil
}
