// Command kbuild_check compares the BUILD files the kbuild Gazelle language
// wrote in a workspace with GNU make's evaluation of the same Kbuild files
// (package tools/gazelle/kbuild/oracle), and prints figures:
//
//   - modules make builds, and how many got a kernel_module target in their
//     directory;
//   - composite modules whose generated srcs are exactly make's objects;
//   - targets for objects that make builds into the kernel (obj-y, e.g.
//     the object of a bool symbol) or does not build at all;
//   - the largest BUILD file;
//   - with -ko, the modules of a list of .ko paths (from a distribution's
//     kernel package) that got a target;
//   - with -dkms_conf, the modules a dkms.conf names that got a target.
//
// Every CONFIG_ symbol of the workspace's Kconfig files is set as the
// language assumes it (tristate = m, bool = y), read by the oracle's own
// Kconfig reader; others are not set.
//
// Usage:
//
//	kbuild_check -root WORKSPACE [-ko KOLIST] [-dkms_conf FILE] [-var NAME=VALUE ...] [-j N]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/bazel-contrib/bazel-gazelle/v2/rule"
	"github.com/rules-modsign/rules_modsign/tools/gazelle/kbuild"
	"github.com/rules-modsign/rules_modsign/tools/gazelle/kbuild/oracle"
)

type varFlags map[string]string

func (v varFlags) String() string { return "" }
func (v varFlags) Set(s string) error {
	k, val, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	v[k] = val
	return nil
}

// target is a kernel_module found in a BUILD file.
type target struct {
	dir  string
	name string // module name (module_name, else the target name)
	srcs []string
}

type dirResult struct {
	rel     string
	kbuild  string
	res     *oracle.Result
	err     error
	targets map[string]target
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("kbuild_check: ")
	root := flag.String("root", "", "workspace the language ran in")
	koList := flag.String("ko", "", "file listing .ko paths relative to the kernel's module directory (e.g. fs/xfs/xfs.ko)")
	dkmsConf := flag.String("dkms_conf", "", "dkms.conf whose BUILT_MODULE_NAME entries must have targets")
	jobs := flag.Int("j", 2, "make processes in parallel")
	verbose := flag.Int("show", 20, "mismatches to list")
	vars := varFlags{}
	flag.Var(vars, "var", "NAME=VALUE given to make (repeatable), as the kernel_module_var directive")
	flag.Parse()
	if *root == "" {
		log.Fatal("-root is required")
	}
	if err := run(*root, *koList, *dkmsConf, *jobs, *verbose, vars); err != nil {
		log.Fatal(err)
	}
}

func run(root, koList, dkmsConf string, jobs, show int, vars map[string]string) error {
	symbols, nk, err := oracle.Symbols(root)
	if err != nil {
		return err
	}
	var dirs []*dirResult
	largest, largestPath, over := int64(0), "", 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "bazel-")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == "BUILD.bazel" || d.Name() == "BUILD" {
			if st, err := d.Info(); err == nil {
				if st.Size() > largest {
					largest, largestPath = st.Size(), p
				}
				if st.Size() > 512*1024 {
					over++
				}
			}
		}
		dir := filepath.Dir(p)
		switch d.Name() {
		case "Kbuild":
		case "Makefile":
			if _, err := os.Stat(filepath.Join(dir, "Kbuild")); err == nil {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			if !kbuild.HasObjM(data) {
				return nil
			}
		default:
			return nil
		}
		rel, _ := filepath.Rel(root, dir)
		dirs = append(dirs, &dirResult{rel: filepath.ToSlash(rel), kbuild: p})
		return nil
	})
	if err != nil {
		return fmt.Errorf("walking %s: %w", root, err)
	}

	// make, in parallel.
	var wg sync.WaitGroup
	ch := make(chan *dirResult)
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range ch {
				d.res, d.err = oracle.Eval(context.Background(), d.kbuild, oracle.Config{Symbols: symbols, Vars: vars})
			}
		}()
	}
	for _, d := range dirs {
		ch <- d
	}
	close(ch)
	wg.Wait()

	// Targets.
	allTargets := map[string][]string{} // module name -> dirs
	for _, d := range dirs {
		d.targets = map[string]target{}
		for _, name := range []string{"BUILD.bazel", "BUILD"} {
			p := filepath.Join(root, filepath.FromSlash(d.rel), name)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			f, err := rule.LoadFile(p, d.rel)
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			for _, r := range f.Rules {
				if r.Kind() != "kernel_module" {
					continue
				}
				n := r.Name()
				if mn := r.AttrString("module_name"); mn != "" {
					n = mn
				}
				d.targets[n] = target{dir: d.rel, name: n, srcs: r.AttrStrings("srcs")}
				allTargets[n] = append(allTargets[n], d.rel)
			}
			break
		}
	}

	var alsoBuiltIn int
	var makeMods, withTarget, composite, compositeOK, single, singleOK, boolTargets, extraTargets, targets, failed int
	var mismatches, boolList, failList []string
	for _, d := range dirs {
		targets += len(d.targets)
		if d.err != nil {
			failed++
			failList = append(failList, d.err.Error())
			continue
		}
		builtin := map[string]bool{}
		for _, o := range d.res.BuiltIn {
			builtin[o] = true
		}
		for name, m := range d.res.Modules {
			makeMods++
			if m.AlsoBuiltIn {
				alsoBuiltIn++
			}
			t, ok := d.targets[name]
			if ok {
				withTarget++
			}
			got := objectsOf(t.srcs)
			same := ok && equal(got, m.Objects)
			if m.Composite {
				composite++
				if same {
					compositeOK++
				}
			} else {
				single++
				if same {
					singleOK++
				}
			}
			if !same {
				if !ok {
					mismatches = append(mismatches, fmt.Sprintf("%s/%s: no target (make links %s)", d.rel, name, strings.Join(m.Objects, " ")))
				} else {
					missing, extra := diff(m.Objects, got)
					mismatches = append(mismatches, fmt.Sprintf("%s/%s: srcs lack %v, have extra %v", d.rel, name, missing, extra))
				}
			}
		}
		for name := range d.targets {
			if _, ok := d.res.Modules[name]; ok {
				continue
			}
			if builtin[name+".o"] {
				boolTargets++
				boolList = append(boolList, d.rel+":"+name)
			} else {
				extraTargets++
			}
		}
	}
	sort.Strings(mismatches)
	sort.Strings(boolList)
	fmt.Printf("Kconfig files read: %d (%d symbols typed)\n", nk, len(symbols))
	fmt.Printf("Kbuild files: %d (make failed on %d)\n", len(dirs), failed)
	for i, f := range failList {
		if i >= show {
			break
		}
		fmt.Printf("  make failed: %s\n", f)
	}
	fmt.Printf("modules make builds (obj-m): %d, with a kernel_module target: %d; %d of them also in obj-y through a bool symbol\n", makeMods, withTarget, alsoBuiltIn)
	fmt.Printf("composite modules whose srcs equal make's objects: %d of %d (%s)\n", compositeOK, composite, pct(compositeOK, composite))
	fmt.Printf("single-object modules whose srcs equal make's: %d of %d (%s)\n", singleOK, single, pct(singleOK, single))
	for i, m := range mismatches {
		if i >= show {
			fmt.Printf("  ... %d more\n", len(mismatches)-show)
			break
		}
		fmt.Printf("  differs: %s\n", m)
	}
	fmt.Printf("kernel_module targets: %d; for built-in (obj-y, bool) objects: %d; for objects make does not build: %d\n", targets, boolTargets, extraTargets)
	for i, b := range boolList {
		if i >= show {
			break
		}
		fmt.Printf("  built-in object with a target: %s\n", b)
	}
	fmt.Printf("largest BUILD file: %d bytes (%s); over 512 KiB: %d\n", largest, relTo(root, largestPath), over)

	if koList != "" {
		if err := checkKo(koList, dirs, allTargets, show); err != nil {
			return err
		}
	}
	if dkmsConf != "" {
		if err := checkDkms(dkmsConf, allTargets); err != nil {
			return err
		}
	}
	return nil
}

func relTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}

func pct(a, b int) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(a)/float64(b))
}

// objectsOf maps srcs (x.c, x.S) to objects (x.o), sorted.
func objectsOf(srcs []string) []string {
	var out []string
	for _, s := range srcs {
		if ext := path.Ext(s); ext == ".c" || ext == ".S" {
			out = append(out, strings.TrimSuffix(s, ext)+".o")
		}
	}
	sort.Strings(out)
	return out
}

// diff returns the words of want missing from got, and those of got not
// in want.
func diff(want, got []string) (missing, extra []string) {
	in := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	for _, w := range want {
		if !in(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !in(want, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkKo prints how many modules of a .ko list got a target in their
// directory (or elsewhere).
func checkKo(list string, dirs []*dirResult, all map[string][]string, show int) error {
	f, err := os.Open(list)
	if err != nil {
		return fmt.Errorf("reading -ko list: %w", err)
	}
	defer f.Close()
	byDir := map[string]*dirResult{}
	for _, d := range dirs {
		byDir[d.rel] = d
	}
	var total, inDir, elsewhere int
	var missing []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if p == "" {
			continue
		}
		total++
		name := strings.TrimSuffix(path.Base(p), ".ko")
		if d := byDir[path.Dir(p)]; d != nil {
			if _, ok := d.targets[name]; ok {
				inDir++
				continue
			}
		}
		if len(all[name]) > 0 {
			elsewhere++
			continue
		}
		missing = append(missing, p)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", list, err)
	}
	fmt.Printf("shipped modules: %d; with a target in their directory: %d; in another directory: %d; missing: %d\n", total, inDir, elsewhere, len(missing))
	for i, m := range missing {
		if i >= show {
			break
		}
		fmt.Printf("  no target: %s\n", m)
	}
	return nil
}

var builtModuleRe = regexp.MustCompile(`^BUILT_MODULE_NAME\[\d+\]\s*=\s*"?([^"\s]+)"?`)
var packageNameRe = regexp.MustCompile(`^PACKAGE_NAME\s*=\s*"?([^"\s]+)"?`)

// checkDkms prints whether every module a dkms.conf names has a target.
func checkDkms(conf string, all map[string][]string) error {
	data, err := os.ReadFile(conf)
	if err != nil {
		return fmt.Errorf("reading dkms.conf: %w", err)
	}
	pkg := ""
	var names []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if m := packageNameRe.FindStringSubmatch(l); m != nil {
			pkg = m[1]
		}
		if m := builtModuleRe.FindStringSubmatch(l); m != nil {
			names = append(names, m[1])
		}
	}
	var missing []string
	for _, n := range names {
		n = strings.ReplaceAll(strings.ReplaceAll(n, "${PACKAGE_NAME}", pkg), "$PACKAGE_NAME", pkg)
		if len(all[n]) == 0 {
			missing = append(missing, n)
		}
	}
	fmt.Printf("dkms.conf modules: %d, with a target: %d", len(names), len(names)-len(missing))
	if len(missing) > 0 {
		fmt.Printf(" (missing: %s)", strings.Join(missing, " "))
	}
	fmt.Println()
	return nil
}
