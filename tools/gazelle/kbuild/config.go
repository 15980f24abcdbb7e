package kbuild

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bazel-contrib/bazel-gazelle/v2/label"
	"github.com/bazel-contrib/bazel-gazelle/v2/rule"
	"github.com/bazelbuild/bazel-gazelle/config"
)

// Directives (all inherited by subdirectories; a subdirectory may override):
const (
	// kernel_module_kernel LABEL: the kernel_build every kernel_module is
	// built against ("kernel" attribute).
	dirKernel = "kernel_module_kernel"
	// kernel_module_signing_key LABEL: the module_signing_key or x509_keypair
	// used by the generated kernel_module_signed targets.
	dirSigningKey = "kernel_module_signing_key"
	// kernel_module_hash ALGO: hash of the generated kernel_module_signed
	// targets (default sha512).
	dirHash = "kernel_module_hash"
	// kernel_module_sign on|off|auto: whether to write a kernel_module_signed
	// "<module>_signed" per module. auto (default) = when a signing key is set.
	dirSign = "kernel_module_sign"
	// kernel_module_ignore [DIR...]: without arguments, generate nothing in
	// this directory and below; with arguments, in those subdirectories
	// (relative to this one) and below.
	dirIgnore = "kernel_module_ignore"
	// kernel_module_config CONFIG_FOO=y|m|n ...: values of CONFIG_ symbols
	// for obj-$(CONFIG_FOO) lists and conditionals. Unlisted symbols are "m".
	dirConfig = "kernel_module_config"
	// kernel_module_detect_kernel_tree on|off: whether a directory that
	// looks like the top of a Linux source tree is ignored (default on).
	dirDetect = "kernel_module_detect_kernel_tree"
	// kernel_module_var NAME=VALUE ...: make variables set as on make's
	// command line (e.g. XA_ABSTOPSRCDIR=$(src)/.. for a Kbuild file that
	// includes $(XA_ABSTOPSRCDIR)/mconfig).
	dirVar = "kernel_module_var"
)

const (
	langName       = "kbuild"
	defaultHash    = "sha512"
	defaultDefsBzl = "//rules:defs.bzl"
	defaultModule  = "rules_modsign"
)

// validHashes are the hashes kernel_module_signed accepts: HASHES in
// rules/private/common.bzl, in the same order (TestHashesMatchRules checks it).
// sha1 is not one of them: the rules reject it, so a BUILD file with it would
// not load.
var validHashes = []string{"sha256", "sha384", "sha512", "sha224", "sha3-256", "sha3-384", "sha3-512"}

func isValidHash(h string) bool {
	for _, v := range validHashes {
		if v == h {
			return true
		}
	}
	return false
}

var makeVarNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

type signMode int

const (
	signAuto signMode = iota
	signOn
	signOff
)

// kbuildConfig is the per-directory configuration, stored in
// config.Config.Exts[langName]. It is copied for each subdirectory.
type kbuildConfig struct {
	kernel      string
	signingKey  string
	hash        string
	hashSet     bool
	sign        signMode
	ignored     bool
	ignoredDirs []string // repo-relative directories ignored by an ancestor
	configs     map[string]string
	vars        map[string]string
	detectTree  bool
	// isTreeRoot is true in the directory detected as a Linux source tree;
	// treeRoot is that directory (for the message).
	isTreeRoot bool
	treeRoot   string
}

func (kc *kbuildConfig) clone() *kbuildConfig {
	c := *kc
	c.configs = make(map[string]string, len(kc.configs))
	for k, v := range kc.configs {
		c.configs[k] = v
	}
	c.vars = make(map[string]string, len(kc.vars))
	for k, v := range kc.vars {
		c.vars[k] = v
	}
	c.ignoredDirs = kc.ignoredDirs[:len(kc.ignoredDirs):len(kc.ignoredDirs)]
	return &c
}

// configFunc returns the value of CONFIG_ symbols in this directory: the
// kernel_module_config directive, else "m" for a tristate and "y" for a
// bool of the repository's Kconfig files, else "" (unknown).
func (kc *kbuildConfig) configFunc(types KconfigTypes) func(string) string {
	return func(sym string) string {
		if v, ok := kc.configs[sym]; ok {
			return v
		}
		return types.Value(sym)
	}
}

func getConfig(c *config.Config) *kbuildConfig {
	if kc, ok := c.Exts[langName].(*kbuildConfig); ok {
		return kc
	}
	return &kbuildConfig{hash: defaultHash, detectTree: true, configs: map[string]string{}, vars: map[string]string{}}
}

func (l *kbuildLang) RegisterFlags(fs *flag.FlagSet, cmd string, c *config.Config) {
	fs.StringVar(&l.defsBzl, "kernel_module_defs_bzl", "",
		"label of the .bzl file that defines kernel_module and kernel_module_signed "+
			"(default: @<rules_modsign's apparent name>//rules:defs.bzl)")
	c.Exts[langName] = &kbuildConfig{hash: defaultHash, detectTree: true, configs: map[string]string{}, vars: map[string]string{}}
}

func (l *kbuildLang) CheckFlags(fs *flag.FlagSet, c *config.Config) error {
	if l.defsBzl != "" {
		if _, err := label.Parse(l.defsBzl); err != nil {
			return fmt.Errorf("-kernel_module_defs_bzl %q: %w", l.defsBzl, err)
		}
	}
	l.selfRepo = isSelfRepo(c.RepoRoot)
	return nil
}

func (*kbuildLang) KnownDirectives() []string {
	return []string{dirKernel, dirSigningKey, dirHash, dirSign, dirIgnore, dirConfig, dirDetect, dirVar}
}

func (l *kbuildLang) Configure(c *config.Config, rel string, f *rule.File) {
	kc := getConfig(c).clone()
	c.Exts[langName] = kc
	where := path.Join(rel, "BUILD")
	if f != nil {
		where = f.Path
		if r, err := filepath.Rel(c.RepoRoot, f.Path); err == nil {
			where = filepath.ToSlash(r)
		}
	}
	if !kc.ignored {
		for _, d := range kc.ignoredDirs {
			if rel == d || strings.HasPrefix(rel, d+"/") {
				kc.ignored = true
				break
			}
		}
	}
	if f != nil {
		for _, d := range f.Directives {
			v := strings.TrimSpace(d.Value)
			switch d.Key {
			case dirKernel, dirSigningKey:
				if v != "" {
					if _, err := label.Parse(v); err != nil {
						log.Printf("%s: # gazelle:%s %s: not a label: %v; ignored", where, d.Key, v, err)
						continue
					}
				}
				if d.Key == dirKernel {
					kc.kernel = v
				} else {
					kc.signingKey = v
				}
			case dirHash:
				if !isValidHash(v) {
					log.Printf("%s: # gazelle:%s %s: not a hash kernel_module_signed accepts (want one of %s); ignored", where, d.Key, v, strings.Join(validHashes, ", "))
					continue
				}
				kc.hash = v
				kc.hashSet = true
			case dirSign:
				switch v {
				case "on":
					kc.sign = signOn
				case "off":
					kc.sign = signOff
				case "auto", "":
					kc.sign = signAuto
				default:
					log.Printf("%s: # gazelle:%s %s: want on, off or auto; ignored", where, d.Key, v)
				}
			case dirIgnore:
				if v == "" {
					kc.ignored = true
					continue
				}
				for _, sub := range strings.Fields(v) {
					p := path.Clean(path.Join(rel, sub))
					if strings.HasPrefix(sub, "/") || p == ".." || strings.HasPrefix(p, "../") {
						log.Printf("%s: # gazelle:%s %s: must be a path below this directory; ignored", where, d.Key, sub)
						continue
					}
					kc.ignoredDirs = append(kc.ignoredDirs, p)
				}
			case dirConfig:
				for _, kv := range strings.Fields(v) {
					k, val, ok := strings.Cut(kv, "=")
					if !ok || !strings.HasPrefix(k, "CONFIG_") || (val != "y" && val != "m" && val != "n") {
						log.Printf("%s: # gazelle:%s %s: want CONFIG_NAME=y|m|n; ignored", where, d.Key, kv)
						continue
					}
					kc.configs[k] = val
				}
			case dirVar:
				for _, kv := range strings.Fields(v) {
					k, val, ok := strings.Cut(kv, "=")
					if !ok || !makeVarNameRe.MatchString(k) {
						log.Printf("%s: # gazelle:%s %s: want NAME=VALUE (a make variable name, no spaces in the value); ignored", where, d.Key, kv)
						continue
					}
					kc.vars[k] = val
				}
			case dirDetect:
				switch v {
				case "on":
					kc.detectTree = true
				case "off":
					kc.detectTree = false
				default:
					log.Printf("%s: # gazelle:%s %s: want on or off; ignored", where, d.Key, v)
				}
			}
		}
	}
	if !kc.ignored && kc.detectTree && isKernelTree(filepath.Join(c.RepoRoot, filepath.FromSlash(rel))) {
		kc.ignored = true
		kc.treeRoot = rel
		kc.isTreeRoot = true
	} else {
		kc.isTreeRoot = false
	}
}

// isKernelTree reports whether dir looks like the top of a Linux source tree.
func isKernelTree(dir string) bool {
	for _, name := range []string{"MAINTAINERS", "Kconfig", "Makefile"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.IsDir() {
			return false
		}
	}
	for _, name := range []string{"arch", "kernel"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}
