// Command gencorpus writes the verdict corpus: crafted signed modules, each
// with one defect or edge of the module-signature format, made from one
// unsigned module built for the kernel under test.
//
//	gencorpus --base hello.ko --keys tools/verdict/testdata/keys --out DIR
//
// DIR receives NN-what.ko files and MANIFEST, one "file<TAB>description" line
// per module in load order. Each file is written to a temporary file, synced
// and renamed into place.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rules-modsign/rules_modsign/tools/verdict/corpus"
)

func main() {
	base := flag.String("base", "", "the unsigned module to craft the corpus from (required)")
	keys := flag.String("keys", "", "directory of the TEST-ONLY corpus keys (required)")
	out := flag.String("out", "", "output directory (required; created)")
	flag.Parse()
	if *base == "" || *keys == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus --base MODULE.ko --keys DIR --out DIR")
		os.Exit(2)
	}
	if err := run(*base, *keys, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gencorpus: %v\n", err)
		os.Exit(1)
	}
}

func run(basePath, keyDir, outDir string) error {
	base, err := os.ReadFile(basePath)
	if err != nil {
		return fmt.Errorf("read base module: %w", err)
	}
	ks, err := corpus.LoadKeys(keyDir)
	if err != nil {
		return err
	}
	mods, err := corpus.Generate(base, ks)
	if err != nil {
		return fmt.Errorf("%s: %w", basePath, err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", outDir, err)
	}
	var manifest bytes.Buffer
	for _, m := range mods {
		if err := writeFile(filepath.Join(outDir, m.Name), m.Data); err != nil {
			return err
		}
		fmt.Fprintf(&manifest, "%s\t%s\n", m.Name, m.Desc)
	}
	return writeFile(filepath.Join(outDir, "MANIFEST"), manifest.Bytes())
}

func writeFile(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".gencorpus-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}
