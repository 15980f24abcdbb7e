package kbuild

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bazel-contrib/bazel-gazelle/v2/cmd/gazelle/update"
	"github.com/bazel-contrib/bazel-gazelle/v2/testtools"
	"github.com/bazelbuild/bazel-gazelle/language"
)

// asGazelleEnv makes the test binary act as a Gazelle binary with only this
// language, so that the testdata cases run with plain "go test" exactly as
// the gazelle_generation_test in tools/gazelle/BUILD.bazel runs them.
const asGazelleEnv = "KBUILD_TEST_RUN_AS_GAZELLE"

// gazelleBinaryPath, when set (by the Bazel target kbuild_generation_test),
// is the rlocationpath of a real gazelle_binary to run instead of this test
// binary.
var gazelleBinaryPath = flag.String("gazelle_binary_path", "", "rlocationpath of the gazelle binary to test")

// gazelleBinary returns the Gazelle binary to run and sets up the
// environment for it.
func gazelleBinary(t *testing.T) string {
	t.Helper()
	if *gazelleBinaryPath != "" {
		root := os.Getenv("RUNFILES_DIR")
		if root == "" {
			root = os.Getenv("TEST_SRCDIR")
		}
		p := filepath.Join(root, filepath.FromSlash(*gazelleBinaryPath))
		if !exists(p) {
			t.Fatalf("gazelle binary %s not found at %s", *gazelleBinaryPath, p)
		}
		return p
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(asGazelleEnv, "1")
	return self
}

func TestMain(m *testing.M) {
	if os.Getenv(asGazelleEnv) == "1" {
		os.Exit(runGazelle(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func runGazelle(args []string) int {
	log.SetPrefix("gazelle: ")
	log.SetFlags(0)
	wd := os.Getenv("BUILD_WORKSPACE_DIRECTORY")
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			fmt.Fprintf(os.Stderr, "gazelle: %v\n", err)
			return 1
		}
	}
	err := update.Run(context.Background(), []language.Language{NewLanguage()}, wd, args)
	if err != nil {
		if !errors.Is(err, update.ErrDiff) {
			fmt.Fprintf(os.Stderr, "gazelle: %v\n", err)
		}
		if !errors.Is(err, flag.ErrHelp) {
			return 1
		}
	}
	return 0
}

// TestGeneration runs every case in ../testdata (a directory with a
// MODULE.bazel or WORKSPACE file): BUILD.in files are the BUILD files before
// Gazelle runs, BUILD.out the expected result; expectedStderr.txt holds the
// expected warnings. Each case is run a second time with the BUILD.out files
// as input: re-running Gazelle must change nothing.
func TestGeneration(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(testdata)
	if err != nil {
		t.Skipf("no testdata here (%v); the Bazel gazelle_generation_test covers it", err)
	}
	self := gazelleBinary(t)
	n := 0
	for _, e := range entries {
		dir := filepath.Join(testdata, e.Name())
		if !e.IsDir() || !(exists(filepath.Join(dir, "MODULE.bazel")) || exists(filepath.Join(dir, "WORKSPACE"))) {
			continue
		}
		n++
		testtools.TestGazelleGenerationOnPath(t, &testtools.TestGazelleGenerationArgs{
			Name:                 e.Name(),
			TestDataPathAbsolute: dir,
			TestDataPathRelative: filepath.Join("tools/gazelle/testdata", e.Name()),
			GazelleBinaryPath:    self,
			BuildInSuffix:        ".in",
			BuildOutSuffix:       ".out",
			Timeout:              2 * time.Minute,
		})
		// Idempotence: BUILD.out files as input must come out unchanged.
		rerun := filepath.Join(t.TempDir(), e.Name())
		if err := copyCase(dir, rerun); err != nil {
			t.Fatal(err)
		}
		testtools.TestGazelleGenerationOnPath(t, &testtools.TestGazelleGenerationArgs{
			Name:                 e.Name() + "_rerun",
			TestDataPathAbsolute: rerun,
			TestDataPathRelative: filepath.Join("tools/gazelle/testdata", e.Name()),
			GazelleBinaryPath:    self,
			BuildInSuffix:        ".in",
			BuildOutSuffix:       ".out",
			Timeout:              2 * time.Minute,
		})
	}
	if n == 0 {
		t.Fatal("no test cases found in", testdata)
	}
}

// copyCase copies a test case, with each BUILD.out also written as BUILD.in.
func copyCase(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".in"):
			return nil
		case strings.HasSuffix(p, ".out"):
			if err := os.WriteFile(strings.TrimSuffix(out, ".out")+".in", data, 0o644); err != nil {
				return err
			}
		}
		return os.WriteFile(out, data, 0o644)
	})
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestNoBuildFiles checks what the generation cases cannot (they allow extra
// files): directories without a Kbuild, ignored directories and a vendored
// Linux tree get no BUILD file at all.
func TestNoBuildFiles(t *testing.T) {
	self := gazelleBinary(t)
	for c, dirs := range map[string][]string{
		"ignore":   {"third_party", "third_party/vendored", "linux", "linux/drivers/foo", "linux/arch/x86", "linux/kernel", "src_only"},
		"makefile": {"tool"},
		"nested":   {"drv/builtin", "drv/lib"},
	} {
		src, err := filepath.Abs(filepath.Join("..", "testdata", c))
		if err != nil {
			t.Fatal(err)
		}
		if !exists(src) {
			t.Skipf("no testdata here; the Bazel gazelle_generation_test covers the cases")
		}
		dst := filepath.Join(t.TempDir(), c)
		if err := copyCase(src, dst); err != nil {
			t.Fatal(err)
		}
		// Start from the inputs, not the expected outputs.
		if err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !strings.HasSuffix(p, ".in") {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, strings.TrimSuffix(rel, ".in")+".bazel"), data, 0o644)
		}); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(self)
		cmd.Dir = dst
		cmd.Env = append(os.Environ(), "BUILD_WORKSPACE_DIRECTORY="+dst)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: gazelle: %v\n%s", c, err, out)
		}
		if !exists(filepath.Join(dst, "BUILD.bazel")) {
			t.Fatalf("%s: root BUILD.bazel missing: gazelle did not run in %s", c, dst)
		}
		for _, d := range dirs {
			for _, name := range []string{"BUILD.bazel", "BUILD"} {
				if p := filepath.Join(dst, d, name); exists(p) {
					t.Errorf("%s: %s/%s was created", c, d, name)
				}
			}
		}
	}
}
