package kbuild

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/bazel-contrib/bazel-gazelle/v2/rule"
	"github.com/rules-modsign/rules_modsign/tools/gazelle/kbuild/oracle"
)

// oracleCases are the testdata cases made of real Makefiles, whose
// generated srcs are compared with GNU make's evaluation. vars are the
// case's kernel_module_var directives, given to make on its command line.
var oracleCases = []struct {
	name          string
	vars          map[string]string
	minModules    int
	minComposites int
}{
	{name: "linux61", minModules: 100, minComposites: 15},
	{name: "dkms", vars: map[string]string{"HDAPS": "1", "XA_ABSTOPSRCDIR": "$(src)/..", "XA_TOPSRCDIR": "$(src)/.."}, minModules: 30},
}

// TestMakeOracle runs Gazelle on the real Linux 6.1 Makefiles of
// testdata/linux61, then evaluates every one of them with GNU make (every
// CONFIG_ symbol of the case's Kconfig files set: tristate = m, bool = y) and
// checks that each module make builds has a kernel_module whose srcs are
// exactly make's objects, and that no target exists for anything else
// (in particular for a built-in object of a bool symbol).
func TestMakeOracle(t *testing.T) {
	mk, err := exec.LookPath("make")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("GNU make, the oracle of this test, is missing under CI: %v", err)
		}
		t.Skipf("GNU make is not installed: %v", err)
	}
	self := gazelleBinary(t)
	for _, oc := range oracleCases {
		c := oc.name
		src, err := filepath.Abs(filepath.Join("..", "testdata", c))
		if err != nil {
			t.Fatal(err)
		}
		if !exists(src) {
			if os.Getenv("CI") == "true" {
				t.Fatalf("testdata %s is missing", src)
			}
			t.Skipf("no testdata here")
		}
		ws := filepath.Join(t.TempDir(), c)
		if err := copyCase(src, ws); err != nil {
			t.Fatal(err)
		}
		// Start from the inputs: BUILD.in as BUILD.bazel, no BUILD.out.
		if err := filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case strings.HasSuffix(p, "BUILD.in"):
				return os.Rename(p, strings.TrimSuffix(p, ".in")+".bazel")
			case strings.HasSuffix(p, "BUILD.out"), strings.HasSuffix(p, "BUILD") && !d.IsDir():
				return os.Remove(p)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(self)
		cmd.Dir = ws
		cmd.Env = append(os.Environ(), "BUILD_WORKSPACE_DIRECTORY="+ws)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: gazelle: %v\n%s", c, err, out)
		}

		symbols, nk, err := oracle.Symbols(ws)
		if err != nil {
			t.Fatal(err)
		}
		if oc.minComposites > 0 && (nk == 0 || len(symbols) == 0) {
			t.Fatalf("%s: no Kconfig symbols read", c)
		}
		targets := map[string]bool{}
		checked, composite := 0, 0
		err = filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if d.Name() != "Makefile" && d.Name() != "Kbuild" {
				return nil
			}
			dir := filepath.Dir(p)
			rel, _ := filepath.Rel(ws, dir)
			rel = filepath.ToSlash(rel)
			if d.Name() == "Makefile" && exists(filepath.Join(dir, "Kbuild")) {
				return nil
			}
			res, err := oracle.Eval(context.Background(), p, oracle.Config{Symbols: symbols, Vars: oc.vars, Make: mk})
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			got := generatedModules(t, filepath.Join(dir, "BUILD.bazel"), rel)
			for name := range got {
				targets[name] = true
			}
			for name, m := range res.Modules {
				checked++
				if m.Composite {
					composite++
				}
				srcs, ok := got[name]
				if !ok {
					t.Errorf("%s: make builds module %s, Gazelle made no target", rel, name)
					continue
				}
				if objs := objectsOfSrcs(srcs); !reflect.DeepEqual(objs, m.Objects) {
					t.Errorf("%s: module %s: make links %q, generated srcs give %q", rel, name, m.Objects, objs)
				}
			}
			for name := range got {
				if _, ok := res.Modules[name]; !ok {
					t.Errorf("%s: target %s is not a module make builds (built-in: %v)", rel, name, contains(res.BuiltIn, name+".o"))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Every module a dkms.conf names has a target.
		if err := filepath.WalkDir(ws, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Name() != "dkms.conf" {
				return err
			}
			names, err := dkmsModules(p)
			if err != nil {
				return err
			}
			for _, n := range names {
				if !targets[n] {
					t.Errorf("%s: module %s has no kernel_module target", p, n)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if checked < oc.minModules || composite < oc.minComposites {
			t.Errorf("%s: only %d modules (%d composite) checked against make", c, checked, composite)
		}
		t.Logf("%s: %d modules (%d composite) equal to make's evaluation", c, checked, composite)
	}
}

// generatedModules reads the kernel_module targets of a BUILD file: module
// name -> srcs.
func generatedModules(t *testing.T, build, pkg string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	if !exists(build) {
		return out
	}
	f, err := rule.LoadFile(build, pkg)
	if err != nil {
		t.Fatalf("reading %s: %v", build, err)
	}
	for _, r := range f.Rules {
		if r.Kind() == kindModule {
			out[r.Name()] = r.AttrStrings("srcs")
		}
	}
	return out
}

func objectsOfSrcs(srcs []string) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, strings.TrimSuffix(s, path.Ext(s))+".o")
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	dkmsModuleRe  = regexp.MustCompile(`(?m)^\s*BUILT_MODULE_NAME\[\d+\]\s*=\s*"?([^"\s]+)"?`)
	dkmsPackageRe = regexp.MustCompile(`(?m)^\s*PACKAGE_NAME\s*=\s*"?([^"\s]+)"?`)
)

// dkmsModules returns the module names a dkms.conf builds.
func dkmsModules(conf string) ([]string, error) {
	data, err := os.ReadFile(conf)
	if err != nil {
		return nil, fmt.Errorf("reading dkms.conf: %w", err)
	}
	pkg := ""
	if m := dkmsPackageRe.FindSubmatch(data); m != nil {
		pkg = string(m[1])
	}
	var out []string
	for _, m := range dkmsModuleRe.FindAllSubmatch(data, -1) {
		n := strings.NewReplacer("${PACKAGE_NAME}", pkg, "$PACKAGE_NAME", pkg).Replace(string(m[1]))
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no BUILT_MODULE_NAME", conf)
	}
	return out, nil
}
