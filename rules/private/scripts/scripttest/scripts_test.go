// Package scripttest tests rules/private/scripts/kernel_build.sh and
// kernel_module.sh: their argument checks, that they read no environment
// variable a user could set, and (when KERNEL_TREE names a kernel_build tree) a
// real, reproducible module build. The leak check inside kernel_build.sh is
// tools/keyscan, tested there.
package scripttest

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func script(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("KERNEL_SCRIPTS_DIR")
	if dir == "" {
		dir = ".." // the scripts sit one level up, in runfiles and in the source tree
	}
	p, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("script: %v", err)
	}
	return p
}

// runIn runs a script in dir and returns its combined output and error.
func runIn(t *testing.T, dir, path string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{path}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestKernelBuildReadsNoEnvironment: nothing a user can set (an --action_env,
// a variable in the shell Bazel runs in) changes what kernel_build.sh does with
// the private key, because the scripts read no environment variable they do
// not set themselves, except the allowlist below. The analysis side (argv and
// outputs of the KernelBuild action under any flag) is
// //rules/tests:kernel_build_flags_test.
func TestKernelBuildReadsNoEnvironment(t *testing.T) {
	allowed := map[string]bool{
		"BASH_SOURCE": true, "BASH_REMATCH": true, "PWD": true, "SECONDS": true,
		"TMPDIR": true, // kernel_module.sh's scratch directory (no key in it)
	}
	ref := regexp.MustCompile(`\$\{?([A-Z_][A-Z0-9_]*)`)
	set := regexp.MustCompile(`(?m)(?:^|[\s;(])(?:export |local |readonly )?([A-Z_][A-Z0-9_]*)=`)
	for _, name := range []string{"kernel_build.sh", "kernel_module.sh", "lib.sh"} {
		data, err := os.ReadFile(script(t, name))
		if err != nil {
			t.Fatal(err)
		}
		assigned := map[string]bool{}
		for _, m := range set.FindAllStringSubmatch(string(data), -1) {
			assigned[m[1]] = true
		}
		if name != "lib.sh" {
			lib, err := os.ReadFile(script(t, "lib.sh"))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range set.FindAllStringSubmatch(string(lib), -1) {
				assigned[m[1]] = true
			}
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, m := range ref.FindAllStringSubmatch(line, -1) {
				if !allowed[m[1]] && !assigned[m[1]] {
					t.Errorf("%s reads the environment variable %s, which a user could set: %s", name, m[1], strings.TrimSpace(line))
				}
			}
		}
	}
}

func TestKernelBuildArgumentErrors(t *testing.T) {
	kb := script(t, "kernel_build.sh")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "src.tar.xz"), []byte("not a tarball"), 0o644)
	os.WriteFile(filepath.Join(dir, "keys.pem"), []byte("-----BEGIN CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "other.identity"), []byte("compiler gcc\nfile cc1 /usr/libexec/gcc/x86_64-linux-gnu/99/cc1 0000\n"), 0o644)
	outs := []string{"--keyscan", "/bin/true", "--out-image", "o/bzImage", "--out-config", "o/config", "--out-symvers", "o/Module.symvers", "--out-tree", "o/tree"}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--out-image", "o/bzImage"}, "--keyscan is required"},
		{append(append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig"}, outs...), "--keyscan", "src.tar.xz"), "--keyscan src.tar.xz: not an executable"},
		{append([]string{"--base", "tinyconfig"}, outs...), "--tarball is required"},
		{append([]string{"--tarball", "missing.tar.xz", "--base", "tinyconfig"}, outs...), "missing.tar.xz: no such file"},
		{append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--fragment", "nope.config"}, outs...), "--fragment nope.config: no such file"},
		{append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--trusted-keys", "keys.pem"}, outs...), "holds a private key"},
		{append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--jobs", "0"}, outs...), "not a positive integer"},
		{append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig"}, outs...), "cannot unpack src.tar.xz"},
		{[]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--bogus"}, "unknown argument '--bogus'"},
		{append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--cc", "gcc"}, outs...), "--cc gcc needs --cc-identity"},
		{append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--cc-identity", "other.identity"}, outs...), "--cc-identity needs --cc"},
		// A compiler that is not the one the action key names: refused before anything is built.
		{append([]string{"--tarball", "src.tar.xz", "--base", "tinyconfig", "--cc", "gcc", "--cc-identity", "other.identity"}, outs...), "the compiler gcc on this machine is not the one this action was keyed with"},
	}
	for _, c := range cases {
		out, err := runIn(t, dir, kb, c.args...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("kernel_build.sh %q: err=%v, output %q lacks %q", c.args, err, out, c.want)
		}
	}
	// The output directory may exist (Bazel creates it anyway) but must be empty.
	if left, _ := os.ReadDir(filepath.Join(dir, "o")); len(left) > 0 {
		t.Errorf("a failed kernel_build.sh left %d entries behind in the output directory, e.g. %s", len(left), left[0].Name())
	}
}

func TestKernelModuleArgumentErrors(t *testing.T) {
	km := script(t, "kernel_module.sh")
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "notatree"), 0o755)
	os.MkdirAll(filepath.Join(dir, "pkg"), 0o755)
	os.WriteFile(filepath.Join(dir, "pkg", "Kbuild"), []byte("obj-m := a.o\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "pkg", "a.c"), []byte(""), 0o644)
	outs := []string{"--out-ko", "o/a.ko", "--out-symvers", "o/Module.symvers"}
	base := []string{"--kbuild", "pkg/Kbuild", "--pkg-dir", "pkg", "--src", "pkg/a.c"}
	cases := []struct {
		args []string
		want string
	}{
		{append(append([]string{"--tree", "missing"}, base...), outs...), "--tree missing: no such directory"},
		{append(append([]string{"--tree", "notatree"}, base...), outs...), "not a kernel build tree (missing Makefile)"},
	}
	for _, c := range cases {
		out, err := runIn(t, dir, km, c.args...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("kernel_module.sh %q: err=%v, output %q lacks %q", c.args, err, out, c.want)
		}
	}
}

// TestModuleBuildReproducible builds e2e/workspace/hello twice against the
// kernel tree in KERNEL_TREE and expects identical .ko files, then builds
// e2e/testdata/greeter against greet's Module.symvers.
func TestModuleBuildReproducible(t *testing.T) {
	tree := os.Getenv("KERNEL_TREE")
	if tree == "" {
		t.Skip("KERNEL_TREE not set")
	}
	tree, _ = filepath.Abs(tree)
	km := script(t, "kernel_module.sh")
	dir := t.TempDir()
	testdata := filepath.Join(dir, "testdata")
	if err := os.Mkdir(testdata, 0o755); err != nil {
		t.Fatal(err)
	}
	// hello is the e2e workspace's own module; greet and greeter exist only here.
	for mod, src := range map[string]string{
		"hello":   "../../workspace/hello",
		"greet":   "../../testdata/greet",
		"greeter": "../../testdata/greeter",
	} {
		abs, err := filepath.Abs(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(testdata, mod)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(tree, filepath.Join(dir, "tree")); err != nil {
		t.Fatal(err)
	}
	build := func(mod, out string, extra ...string) []byte {
		args := []string{"--tree", "tree", "--kbuild", "testdata/" + mod + "/Kbuild", "--pkg-dir", "testdata/" + mod,
			"--out-ko", out + "/" + mod + ".ko", "--out-symvers", out + "/" + mod + ".symvers"}
		matches, _ := filepath.Glob(filepath.Join(testdata, mod, "*.c"))
		for _, m := range matches {
			args = append(args, "--src", "testdata/"+mod+"/"+filepath.Base(m))
		}
		if mod == "greet" {
			args = append(args, "--src", "testdata/greet/include/greet/greet.h")
		}
		args = append(args, extra...)
		out2, err := runIn(t, dir, km, args...)
		if err != nil {
			t.Fatalf("building %s: %v\n%s", mod, err, out2)
		}
		data, err := os.ReadFile(filepath.Join(dir, out, mod+".ko"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a := build("hello", "one")
	b := build("hello", "two")
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Error("two builds of hello.ko differ")
	}
	build("greet", "one")
	sym, _ := os.ReadFile(filepath.Join(dir, "one", "greet.symvers"))
	if !strings.Contains(string(sym), "greet_count") || strings.Contains(string(sym), os.TempDir()) {
		t.Errorf("greet.symvers = %q: want greet_count and no temp path", sym)
	}
	ko := build("greeter", "one", "--symvers", "one/greet.symvers")
	if !bytes.Contains(ko, []byte("depends=greet")) {
		t.Error("greeter.ko does not depend on greet")
	}
	// Without greet's symbols, greeter must fail clearly.
	args := []string{"--tree", "tree", "--kbuild", "testdata/greeter/Kbuild", "--pkg-dir", "testdata/greeter",
		"--src", "testdata/greeter/greeter.c", "--out-ko", "bad/greeter.ko", "--out-symvers", "bad/greeter.symvers"}
	out, err := runIn(t, dir, km, args...)
	if err == nil || !strings.Contains(out, "undefined") {
		t.Errorf("greeter without deps: err=%v output %q", err, out)
	}
}
