package kbuild

import (
	"log"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bazel-contrib/bazel-gazelle/v2/label"
	"github.com/bazel-contrib/bazel-gazelle/v2/rule"
	"github.com/bazelbuild/bazel-gazelle/config"
	"github.com/bazelbuild/bazel-gazelle/repo"
	"github.com/bazelbuild/bazel-gazelle/resolve"
)

// symImport is the import string under which a kernel_module is indexed for
// each symbol it exports: "sym:<name>". "# gazelle:resolve kbuild sym:foo
// //label" overrides the index for one symbol.
func symImport(sym string) resolve.ImportSpec {
	return resolve.ImportSpec{Lang: langName, Imp: "sym:" + sym}
}

// Imports indexes a kernel_module by the symbols its sources export. For a
// rule generated in this run they come from GenerateRules; for a rule in a
// directory Gazelle is not updating, its srcs are scanned.
func (*kbuildLang) Imports(c *config.Config, r *rule.Rule, f *rule.File) []resolve.ImportSpec {
	if r.Kind() != kindModule {
		return nil
	}
	exports, ok := r.PrivateAttr(exportsKey).([]string)
	if !ok {
		var srcs []string
		for _, s := range r.AttrStrings("srcs") {
			if strings.HasSuffix(s, ".c") && !strings.ContainsAny(s, ":@") {
				srcs = append(srcs, s)
			}
		}
		pkg := ""
		if f != nil {
			pkg = f.Pkg
		}
		dir := filepath.Join(c.RepoRoot, filepath.FromSlash(pkg))
		exports, _ = scanModule(dir, srcs)
	}
	specs := make([]resolve.ImportSpec, 0, len(exports))
	for _, e := range exports {
		specs = append(specs, symImport(e))
	}
	return specs
}

// Resolve turns the identifiers a module uses into deps on the
// kernel_modules that export them. A module never depends on itself; a
// symbol exported by more than one module is reported and not resolved.
func (*kbuildLang) Resolve(c *config.Config, ix *resolve.RuleIndex, rc *repo.RemoteCache, r *rule.Rule, imports interface{}, from label.Label) {
	uses, ok := imports.([]string)
	if !ok || r.Kind() != kindModule {
		return
	}
	deps := map[string]bool{}
	for _, sym := range uses {
		imp := symImport(sym)
		if l, ok := resolve.FindRuleWithOverride(c, imp, langName); ok {
			if !l.Equal(from) {
				deps[l.Rel(from.Repo, from.Pkg).String()] = true
			}
			continue
		}
		var found []label.Label
		for _, res := range ix.FindRulesByImportWithConfig(c, imp, langName) {
			if !res.IsSelfImport(from) {
				found = append(found, res.Label)
			}
		}
		switch len(found) {
		case 0:
		case 1:
			deps[found[0].Rel(from.Repo, from.Pkg).String()] = true
		default:
			var names []string
			for _, l := range found {
				names = append(names, l.Rel(from.Repo, "").String())
			}
			sort.Strings(names)
			log.Printf("%s: symbol %s is exported by more than one module (%s); no dependency added. Choose one with # gazelle:resolve kbuild sym:%s LABEL", from.Rel(from.Repo, ""), sym, strings.Join(names, ", "), sym)
		}
	}
	if len(deps) == 0 {
		r.DelAttr("deps")
		return
	}
	r.SetAttr("deps", sortedKeys(deps))
}
