// Package kbuild is a Gazelle language extension that writes kernel_module
// and kernel_module_signed targets (rules_modsign) from the Kbuild files of
// out-of-tree Linux kernel modules.
//
// See tools/gazelle/README.md for the directives and the behaviour.
package kbuild

import (
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/bazel-contrib/bazel-gazelle/v2/label"
	"github.com/bazel-contrib/bazel-gazelle/v2/rule"
	"github.com/bazelbuild/bazel-gazelle/config"
	"github.com/bazelbuild/bazel-gazelle/language"
)

const (
	kindModule = "kernel_module"
	kindSigned = "kernel_module_signed"
	// exportsKey is the private attribute carrying a generated
	// kernel_module's exported symbols from GenerateRules to Imports.
	exportsKey = "_kbuild_exports"
)

// kbuildLang implements language.Language. Its only state is the value of
// the -kernel_module_defs_bzl flag for this run (Gazelle creates one
// instance per run).
type kbuildLang struct {
	defsBzl string
	// selfRepo is true when Gazelle runs in the rules_modsign repository
	// itself, where the rules are loaded from "//rules:defs.bzl".
	selfRepo bool

	// Caches for one run.
	kconfigOnce sync.Once
	kconfig     KconfigTypes // symbol types from the repository's Kconfig files
	incs        includeCache // #include lines of the files read
	pkgMu       sync.Mutex
	pkgs        map[string]bool // absolute directory -> is or will be a package
}

var _ language.ModuleAwareLanguage = (*kbuildLang)(nil)

// NewLanguage returns the Kbuild language extension.
func NewLanguage() language.Language {
	return &kbuildLang{}
}

func (*kbuildLang) Name() string { return langName }

var kinds = map[string]rule.KindInfo{
	kindModule: {
		NonEmptyAttrs: map[string]bool{"srcs": true},
		MergeableAttrs: map[string]bool{
			"srcs":   true,
			"hdrs":   true,
			"kbuild": true,
			"kernel": true,
		},
		ResolveAttrs: map[string]bool{"deps": true},
	},
	kindSigned: {
		NonEmptyAttrs: map[string]bool{"module": true},
		MergeableAttrs: map[string]bool{
			"module":      true,
			"signing_key": true,
			"hash":        true,
		},
	},
}

func (*kbuildLang) Kinds() map[string]rule.KindInfo { return kinds }

// Loads is the pre-Bzlmod form of ApparentLoads.
func (l *kbuildLang) Loads() []rule.LoadInfo {
	return l.ApparentLoads(func(string) string { return "" })
}

// ApparentLoads loads the rules from @<apparent name of rules_modsign>//rules:defs.bzl,
// from //rules:defs.bzl inside rules_modsign itself, or from the label given
// with -kernel_module_defs_bzl.
func (l *kbuildLang) ApparentLoads(moduleToApparentName func(string) string) []rule.LoadInfo {
	name := l.defsBzl
	if name == "" && l.selfRepo {
		name = defaultDefsBzl
	}
	if name == "" {
		repo := moduleToApparentName(defaultModule)
		if repo == "" {
			repo = defaultModule
		}
		name = "@" + repo + defaultDefsBzl
	}
	return []rule.LoadInfo{{Name: name, Symbols: []string{kindModule, kindSigned}}}
}

func (*kbuildLang) Fix(c *config.Config, f *rule.File) {}

func (*kbuildLang) Embeds(r *rule.Rule, from label.Label) []label.Label { return nil }

var selfModuleRe = regexp.MustCompile(`(?m)^\s*(module|workspace)\(\s*name\s*=\s*"` + defaultModule + `"`)

// isSelfRepo reports whether repoRoot is the rules_modsign repository.
func isSelfRepo(repoRoot string) bool {
	for _, name := range []string{"MODULE.bazel", "WORKSPACE.bazel", "WORKSPACE"} {
		data, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err == nil && selfModuleRe.Match(data) {
			return true
		}
	}
	return false
}
