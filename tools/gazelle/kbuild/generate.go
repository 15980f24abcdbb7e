package kbuild

import (
	"fmt"
	"log"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bazel-contrib/bazel-gazelle/v2/rule"
	"github.com/bazelbuild/bazel-gazelle/config"
	"github.com/bazelbuild/bazel-gazelle/language"
)

// sourceExts are tried in order for an object x.o: x.c, then x.S (the
// source kinds kernel_module accepts).
var sourceExts = []string{".c", ".S"}

// maxHeaderDepth bounds the search for headers in subdirectories.
const maxHeaderDepth = 8

func (l *kbuildLang) GenerateRules(args language.GenerateArgs) language.GenerateResult {
	var res language.GenerateResult
	kc := getConfig(args.Config)
	if kc.ignored {
		if kc.isTreeRoot {
			log.Printf("%s: looks like a Linux source tree (MAINTAINERS, Kconfig, Makefile, arch/, kernel/); no kernel_module targets are generated in it. Add \"# gazelle:exclude %s\" to the root BUILD file so Gazelle does not walk it at all, or \"# gazelle:kernel_module_detect_kernel_tree off\" if this is wrong",
				displayRel(kc.treeRoot), displayRel(kc.treeRoot))
		}
		return res
	}

	kbuildName, data := findKbuild(args.Dir, args.RegularFiles)
	if kbuildName == "" {
		res.Empty = emptyForVanishedKbuild(args)
		return res
	}
	kbuildRel := path.Join(args.Rel, kbuildName)
	parsed := Parse(kbuildRel, data, Options{
		Config:   kc.config,
		Wildcard: func(pat string) []string { return wildcard(args.Dir, pat) },
	})
	for _, w := range parsed.Warnings {
		log.Print(w.String())
	}
	checkCCFlags(args, parsed)

	hdrs := collectHeaders(args.Config, kc, args.Dir, args.Rel, args.RegularFiles, args.Subdirs)
	existing := existingRules(args.File)

	generated := map[string]bool{}   // kernel_module target names
	genSigned := map[string]bool{}   // kernel_module_signed target names
	moduleNames := map[string]bool{} // all target names we generate, for clashes
	signedFor := map[string]string{} // module target -> name of its signed target
	missingKernel := false

	type genModule struct {
		mod    Module
		target string
	}
	var mods []genModule
	for _, m := range parsed.Modules {
		target := m.Name
		// A user may have renamed the target and set module_name; keep that.
		for _, r := range existing.modules {
			if r.AttrString("module_name") == m.Name {
				target = r.Name()
				break
			}
		}
		mods = append(mods, genModule{m, target})
		moduleNames[target] = true
	}

	for _, gm := range mods {
		m, target := gm.mod, gm.target
		srcs := l.moduleSources(args, kbuildRel, m)
		if len(srcs) == 0 {
			log.Printf("%s:%d: module %s has no source files on disk; no target generated", kbuildRel, m.Line, m.Name)
			continue
		}
		exports, uses := scanModule(args.Dir, srcs)

		r := rule.NewRule(kindModule, target)
		r.SetAttr("srcs", srcs)
		if len(hdrs) > 0 {
			r.SetAttr("hdrs", hdrs)
		}
		r.SetAttr("kbuild", kbuildName)
		if kc.kernel != "" {
			r.SetAttr("kernel", kc.kernel)
		} else if old := existing.byName(kindModule, target); old != nil && old.Attr("kernel") != nil {
			// No directive: keep the hand-written value instead of deleting it.
			r.SetAttr("kernel", old.Attr("kernel"))
		} else {
			missingKernel = true
		}
		if len(exports) > 0 {
			// Modules in other packages may depend on this one through its exports.
			r.SetAttr("visibility", []string{"//visibility:public"})
		}
		r.SetPrivateAttr(exportsKey, exports)
		res.Gen = append(res.Gen, r)
		res.Imports = append(res.Imports, uses)
		generated[target] = true

		// The signed module.
		signedName := m.Name + "_signed"
		if moduleNames[signedName] {
			log.Printf("%s:%d: cannot name the signed target of %s %q: a module target has that name; not generated", kbuildRel, m.Line, m.Name, signedName)
			continue
		}
		signedFor[target] = signedName
		if kc.sign == signOff || (kc.sign == signAuto && kc.signingKey == "") {
			continue // an existing generated one becomes empty below
		}
		var key interface{} = kc.signingKey
		if kc.signingKey == "" {
			// "sign on" without a key directive: keep a hand-written key.
			old := existing.byName(kindSigned, signedName)
			if old == nil || old.Attr("signing_key") == nil {
				log.Printf("%s: # gazelle:%s is on but no # gazelle:%s is set; %s is not generated", displayRel(args.Rel), dirSign, dirSigningKey, signedName)
				genSigned[signedName] = true // neither generated nor deleted
				continue
			}
			key = old.Attr("signing_key")
		}
		s := rule.NewRule(kindSigned, signedName)
		s.SetAttr("module", ":"+target)
		s.SetAttr("signing_key", key)
		s.SetAttr("hash", kc.hash)
		res.Gen = append(res.Gen, s)
		res.Imports = append(res.Imports, nil)
		genSigned[signedName] = true
	}
	if missingKernel {
		log.Printf("%s: no # gazelle:%s directive: kernel_module targets are generated without the mandatory kernel attribute", displayRel(args.Rel), dirKernel)
	}

	// Modules that disappeared from the Kbuild file, and signed targets that
	// are no longer wanted, become empty rules: Gazelle deletes them unless
	// they carry "# keep".
	for _, r := range existing.modules {
		if generated[r.Name()] {
			continue
		}
		res.Empty = append(res.Empty, rule.NewRule(kindModule, r.Name()))
		if !r.ShouldKeep() {
			res.Empty = append(res.Empty, existing.signedFor(r.Name())...)
		}
	}
	for _, s := range existing.signed {
		if genSigned[s.Name()] {
			continue
		}
		mod := strings.TrimPrefix(s.AttrString("module"), ":")
		if generated[mod] && s.Name() == signedFor[mod] {
			res.Empty = append(res.Empty, rule.NewRule(kindSigned, s.Name()))
		}
	}
	return res
}

func displayRel(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

// findKbuild returns the Kbuild file kbuild would read: Kbuild, else a
// Makefile that has an obj-m line.
func findKbuild(dir string, files []string) (string, []byte) {
	has := map[string]bool{}
	for _, f := range files {
		has[f] = true
	}
	if has["Kbuild"] {
		data, err := os.ReadFile(filepath.Join(dir, "Kbuild"))
		if err != nil {
			log.Printf("reading Kbuild: %v", err)
			return "", nil
		}
		return "Kbuild", data
	}
	if has["Makefile"] {
		data, err := os.ReadFile(filepath.Join(dir, "Makefile"))
		if err != nil {
			log.Printf("reading Makefile: %v", err)
			return "", nil
		}
		if HasObjM(data) {
			return "Makefile", data
		}
	}
	return "", nil
}

type existingSet struct {
	modules []*rule.Rule
	signed  []*rule.Rule
}

func existingRules(f *rule.File) existingSet {
	var e existingSet
	if f == nil {
		return e
	}
	for _, r := range f.Rules {
		switch r.Kind() {
		case kindModule:
			e.modules = append(e.modules, r)
		case kindSigned:
			e.signed = append(e.signed, r)
		}
	}
	return e
}

func (e existingSet) byName(kind, name string) *rule.Rule {
	list := e.modules
	if kind == kindSigned {
		list = e.signed
	}
	for _, r := range list {
		if r.Name() == name {
			return r
		}
	}
	return nil
}

// signedFor returns empty kernel_module_signed rules for the signed targets
// of module target name.
func (e existingSet) signedFor(name string) []*rule.Rule {
	var out []*rule.Rule
	for _, s := range e.signed {
		if m := s.AttrString("module"); m == ":"+name || m == name {
			out = append(out, rule.NewRule(kindSigned, s.Name()))
		}
	}
	return out
}

// emptyForVanishedKbuild handles a directory whose Kbuild file is gone: a
// kernel_module whose kbuild is a file of this directory that no longer
// exists has disappeared. Anything else is left alone.
func emptyForVanishedKbuild(args language.GenerateArgs) []*rule.Rule {
	e := existingRules(args.File)
	var out []*rule.Rule
	for _, r := range e.modules {
		kb := "Kbuild"
		if r.Attr("kbuild") != nil {
			kb = r.AttrString("kbuild")
		}
		if kb == "" || strings.ContainsAny(kb, ":/@") {
			continue
		}
		if _, err := os.Stat(filepath.Join(args.Dir, kb)); err == nil {
			continue
		}
		out = append(out, rule.NewRule(kindModule, r.Name()))
		if !r.ShouldKeep() {
			out = append(out, e.signedFor(r.Name())...)
		}
	}
	return out
}

// moduleSources finds the source file of each object on disk.
func (l *kbuildLang) moduleSources(args language.GenerateArgs, kbuildRel string, m Module) []string {
	gen := map[string]bool{}
	for _, g := range args.GenFiles {
		gen[g] = true
	}
	var srcs []string
	for _, o := range m.Objects {
		base := strings.TrimSuffix(o.Path, ".o")
		if dir := path.Dir(base); dir != "." {
			if pkg := subpackage(args.Config, args.Dir, dir); pkg != "" {
				log.Printf("%s:%d: object %s of module %s is in %s, which is another Bazel package; left out of srcs", kbuildRel, o.Line, o.Path, m.Name, path.Join(args.Rel, pkg))
				continue
			}
		}
		found := ""
		for _, ext := range sourceExts {
			cand := base + ext
			if gen[cand] {
				found = cand
				break
			}
			if st, err := os.Stat(filepath.Join(args.Dir, filepath.FromSlash(cand))); err == nil && !st.IsDir() {
				found = cand
				break
			}
		}
		if found == "" {
			log.Printf("%s:%d: no source for %s of module %s (looked for %s.c and %s.S); left out of srcs", kbuildRel, o.Line, o.Path, m.Name, base, base)
			continue
		}
		srcs = append(srcs, found)
	}
	sort.Strings(srcs)
	return dedupe(srcs)
}

// subpackage returns the first directory on the way from dir to dir/sub
// (inclusive) that has a BUILD file, relative to dir, or "".
func subpackage(c *config.Config, dir, sub string) string {
	parts := strings.Split(sub, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		for _, name := range c.ValidBuildFileNames {
			if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p), name)); err == nil && !st.IsDir() {
				return p
			}
		}
	}
	return ""
}

// collectHeaders lists the .h files of the package: those of the directory
// and of its subdirectories that are not packages of their own (no BUILD
// file, no Kbuild file, not ignored).
func collectHeaders(c *config.Config, kc *kbuildConfig, dir, rel string, files, subdirs []string) []string {
	var hdrs []string
	for _, f := range files {
		if strings.HasSuffix(f, ".h") {
			hdrs = append(hdrs, f)
		}
	}
	var walk func(sub string, depth int)
	walk = func(sub string, depth int) {
		if depth > maxHeaderDepth || strings.HasPrefix(path.Base(sub), ".") {
			return
		}
		abs := filepath.Join(dir, filepath.FromSlash(sub))
		entries, err := os.ReadDir(abs)
		if err != nil {
			return
		}
		for _, e := range entries {
			n := e.Name()
			if n == "Kbuild" || c.IsValidBuildFileName(n) {
				return // its own package (or will be)
			}
		}
		subRel := path.Join(rel, sub)
		for _, d := range kc.ignoredDirs {
			if subRel == d || strings.HasPrefix(subRel, d+"/") {
				return
			}
		}
		if kc.detectTree && isKernelTree(abs) {
			return
		}
		for _, e := range entries {
			n := e.Name()
			switch {
			case e.IsDir():
				walk(path.Join(sub, n), depth+1)
			case strings.HasSuffix(n, ".h"):
				hdrs = append(hdrs, path.Join(sub, n))
			}
		}
	}
	for _, s := range subdirs {
		walk(s, 1)
	}
	sort.Strings(hdrs)
	return hdrs
}

// checkCCFlags warns about -I directories outside the package: their
// headers are not inputs of the generated target.
func checkCCFlags(args language.GenerateArgs, parsed *Parsed) {
	for i, f := range parsed.CCFlags {
		inc := ""
		switch {
		case strings.HasPrefix(f.Path, "-I") && len(f.Path) > 2:
			inc = f.Path[2:]
		case f.Path == "-I" && i+1 < len(parsed.CCFlags):
			inc = parsed.CCFlags[i+1].Path
		default:
			continue
		}
		if strings.HasPrefix(inc, "$(srctree)") || strings.HasPrefix(inc, "$(objtree)") {
			continue // the kernel tree: an input of kernel_build, not ours
		}
		clean := path.Clean(inc)
		if filepath.IsAbs(inc) || clean == ".." || strings.HasPrefix(clean, "../") {
			log.Printf("%s:%d: ccflags include directory %q is outside the package; list its headers in hdrs by hand and mark them \"# keep\"", parsed.File, f.Line, inc)
			continue
		}
		if clean != "." && subpackage(args.Config, args.Dir, clean) != "" {
			log.Printf("%s:%d: ccflags include directory %q is another Bazel package; list its headers in hdrs by hand and mark them \"# keep\"", parsed.File, f.Line, inc)
		}
	}
}

// wildcard expands a make wildcard relative to the module directory.
func wildcard(dir, pat string) []string {
	matches, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pat)))
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range matches {
		r, err := filepath.Rel(dir, m)
		if err != nil {
			continue
		}
		r = filepath.ToSlash(r)
		if strings.HasPrefix(pat, "./") {
			r = "./" + r
		}
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// scanModule returns the symbols the module's C sources export and the
// identifiers they use (minus their own exports).
func scanModule(dir string, srcs []string) (exports, uses []string) {
	exp := map[string]bool{}
	ids := map[string]bool{}
	for _, s := range srcs {
		if !strings.HasSuffix(s, ".c") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(s)))
		if err != nil {
			log.Print(fmt.Errorf("scanning symbols: %w", err))
			continue
		}
		e, u := ScanC(data)
		for _, x := range e {
			exp[x] = true
		}
		for _, x := range u {
			ids[x] = true
		}
	}
	for x := range exp {
		delete(ids, x)
	}
	return sortedKeys(exp), sortedKeys(ids)
}
