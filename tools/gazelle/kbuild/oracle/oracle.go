// Package oracle evaluates a Kbuild file with GNU make, the way kbuild's
// scripts/Makefile.lib does, to check what the kbuild Gazelle language
// derives from the same file.
//
// It runs make on a small driver makefile that sets the configuration
// (CONFIG_ symbols and command-line variables), includes the Kbuild file,
// applies kbuild's own rules (an object in obj-y is not a module; a module's
// objects are $(foo-objs) $(foo-y) $(foo-m) when any of them is set) and
// prints the result.
package oracle

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Module is one entry of obj-m: a module that make builds from a Kbuild
// file.
type Module struct {
	// AlsoBuiltIn is true when the object is in obj-y too: kbuild then
	// builds it into the kernel, in this configuration (every bool symbol
	// y). With the bool symbol n it is a module.
	AlsoBuiltIn bool
	// Name is the module name (foo for foo.o in obj-m).
	Name string
	// Objects are the objects linked into it, cleaned and sorted without
	// duplicates; for a module without a composite list, just Name+".o".
	Objects []string
	// Composite is true when foo-objs, foo-y or foo-m is set.
	Composite bool
}

// Result is make's view of one Kbuild file.
type Result struct {
	// Modules are the entries of obj-m that are objects of this directory,
	// by name (including those that are also in obj-y: AlsoBuiltIn).
	Modules map[string]Module
	// BuiltIn are the objects of obj-y (built into the kernel).
	BuiltIn []string
}

// Config is the configuration make runs with.
type Config struct {
	// Symbols are CONFIG_ values ("CONFIG_FOO" -> "y" or "m"); symbols not
	// listed are not set, as in a .config where they are "n".
	Symbols map[string]string
	// Vars are variables given on make's command line.
	Vars map[string]string
	// Make is the make binary; "" means "make" from PATH.
	Make string
	// Timeout bounds one make run (default 30 s).
	Timeout time.Duration
}

const driver = `# Driver written by tools/gazelle/kbuild/oracle.
include %s
src := .
obj := .
KERNELRELEASE := oracle
include %s
$(foreach m,$(sort $(filter %%.o,$(obj-m))),$(info MODULE $(m) $(if $(filter $(m),$(obj-y)),builtin,module) $(if $(strip $($(m:.o=-objs)) $($(m:.o=-y)) $($(m:.o=-m)) $($(m:.o=-))),composite,single) $($(m:.o=-objs)) $($(m:.o=-y)) $($(m:.o=-m))))
$(info BUILTIN $(obj-y))
.PHONY: __kbuild_oracle
__kbuild_oracle: ; @:
`

// Eval evaluates the Kbuild file kbuild (a path) with make, in the file's
// directory.
func Eval(ctx context.Context, kbuild string, cfg Config) (*Result, error) {
	abs, err := filepath.Abs(kbuild)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kbuild, err)
	}
	tmp, err := os.MkdirTemp("", "kbuild-oracle-")
	if err != nil {
		return nil, fmt.Errorf("%s: temp dir: %w", kbuild, err)
	}
	defer os.RemoveAll(tmp)
	var conf bytes.Buffer
	syms := make([]string, 0, len(cfg.Symbols))
	for s := range cfg.Symbols {
		syms = append(syms, s)
	}
	sort.Strings(syms)
	for _, s := range syms {
		fmt.Fprintf(&conf, "%s := %s\n", s, cfg.Symbols[s])
	}
	confFile := filepath.Join(tmp, "config.mk")
	if err := os.WriteFile(confFile, conf.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("%s: %w", kbuild, err)
	}
	drv := filepath.Join(tmp, "driver.mk")
	if err := os.WriteFile(drv, []byte(fmt.Sprintf(driver, confFile, abs)), 0o644); err != nil {
		return nil, fmt.Errorf("%s: %w", kbuild, err)
	}
	mk := cfg.Make
	if mk == "" {
		mk = "make"
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{"--no-print-directory", "-r", "-s", "-f", drv}
	var names []string
	for k := range cfg.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, k+"="+cfg.Vars[k])
	}
	args = append(args, "__kbuild_oracle")
	cmd := exec.CommandContext(ctx, mk, args...)
	cmd.Dir = filepath.Dir(abs)
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("%s: make failed: %v: %s", kbuild, err, firstLines(stderr.String(), 3))
		}
		return nil, fmt.Errorf("%s: running %s: %w", kbuild, mk, err)
	}
	res := &Result{Modules: map[string]Module{}}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "MODULE":
			if len(f) < 4 {
				continue
			}
			name := strings.TrimSuffix(f[1], ".o")
			if strings.Contains(name, "/") {
				continue // a module of a subdirectory
			}
			m := Module{Name: name, AlsoBuiltIn: f[2] == "builtin", Composite: f[3] == "composite"}
			if m.Composite {
				m.Objects = cleanObjects(f[4:])
			} else {
				m.Objects = []string{f[1]}
			}
			res.Modules[name] = m
		case "BUILTIN":
			res.BuiltIn = cleanObjects(f[1:])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: reading make's output: %w", kbuild, err)
	}
	return res, nil
}

func cleanObjects(ws []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		c := path.Clean(w)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}

var (
	kconfigEntryRe = regexp.MustCompile(`^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$`)
	kconfigTypeRe  = regexp.MustCompile(`^\s*(bool|tristate|def_bool|def_tristate)\b`)
)

// Symbols types the CONFIG_ symbols of every Kconfig* file under root for
// make, as the language assumes them: tristate "m", bool "y" ("CONFIG_FOO"
// -> value). It also returns the number of Kconfig files read. It is a
// reader of its own, independent of the language's (kbuild/kconfig.go), so
// that a mistake there shows in the comparison.
func Symbols(root string) (map[string]string, int, error) {
	syms := map[string]string{}
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "bazel-")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(d.Name(), "Kconfig") || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading Kconfig file %s: %w", p, err)
		}
		files++
		cur := ""
		for _, line := range strings.Split(string(data), "\n") {
			if m := kconfigEntryRe.FindStringSubmatch(line); m != nil {
				cur = "CONFIG_" + m[1]
				continue
			}
			if m := kconfigTypeRe.FindStringSubmatch(line); m != nil && cur != "" {
				if strings.HasSuffix(m[1], "tristate") {
					syms[cur] = "m"
				} else if syms[cur] == "" {
					syms[cur] = "y"
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return syms, files, nil
}
