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
	parsed := Parse(kbuildRel, data, l.parseOptions(args.Config, kc, args.Dir))
	for _, w := range parsed.Warnings {
		log.Print(w.String())
	}
	l.checkCCFlags(args, kc, parsed)
	incDirs := includeDirs(parsed.CCFlags)
	inPackage := func(rel string) bool {
		d := path.Dir(rel)
		return d == "." || l.subpackage(args.Config, kc, args.Dir, args.Rel, d) == ""
	}
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
		srcs := l.moduleSources(args, kc, kbuildRel, m)
		if len(srcs) == 0 {
			log.Printf("%s:%d: module %s has no source files on disk; no target generated", kbuildRel, m.Line, m.Name)
			continue
		}
		exports, uses := scanModule(args.Dir, srcs)
		hdrs := l.incs.moduleHeaders(args.Dir, srcs, incDirs, inPackage)

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

// parseOptions are the Parse options for the Kbuild file of directory dir.
func (l *kbuildLang) parseOptions(c *config.Config, kc *kbuildConfig, dir string) Options {
	return Options{
		Config:   kc.configFunc(l.kconfigTypes(c)),
		Vars:     kc.vars,
		Wildcard: func(pat string) []string { return wildcard(dir, pat) },
		Include:  func(name string) (string, []byte, error) { return readInclude(c.RepoRoot, dir, name) },
	}
}

// kconfigTypes reads the repository's Kconfig files once per run.
func (l *kbuildLang) kconfigTypes(c *config.Config) KconfigTypes {
	l.kconfigOnce.Do(func() {
		k, _, err := ReadKconfigTree(c.RepoRoot, nil)
		if err != nil {
			log.Printf("reading Kconfig files: %v; CONFIG_ symbol types are unknown", err)
			k = KconfigTypes{}
		}
		l.kconfig = k
	})
	return l.kconfig
}

// readInclude reads a file named by an include directive of a Kbuild file
// in dir: relative names are relative to dir. Only files inside the
// repository are read.
func readInclude(repoRoot, dir, name string) (string, []byte, error) {
	if strings.HasPrefix(name, "$(srctree)") || strings.HasPrefix(name, "$(objtree)") {
		return "", nil, fmt.Errorf("a file of the kernel tree, not of this repository")
	}
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(dir, filepath.FromSlash(name))
	}
	rel, err := filepath.Rel(repoRoot, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", nil, fmt.Errorf("outside the repository")
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		if os.IsNotExist(err) {
			return "", nil, fmt.Errorf("%s does not exist", filepath.ToSlash(rel))
		}
		return "", nil, fmt.Errorf("reading %s: %w", filepath.ToSlash(rel), err)
	}
	return filepath.ToSlash(rel), data, nil
}

// moduleSources finds the source file of each object on disk.
func (l *kbuildLang) moduleSources(args language.GenerateArgs, kc *kbuildConfig, kbuildRel string, m Module) []string {
	gen := map[string]bool{}
	for _, g := range args.GenFiles {
		gen[g] = true
	}
	var srcs []string
	for _, o := range m.Objects {
		base := strings.TrimSuffix(o.Path, ".o")
		if dir := path.Dir(base); dir != "." {
			if pkg := l.subpackage(args.Config, kc, args.Dir, args.Rel, dir); pkg != "" {
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
// (inclusive) that is or will be a Bazel package of its own, relative to
// dir, or "".
func (l *kbuildLang) subpackage(c *config.Config, kc *kbuildConfig, dir, rel, sub string) string {
	parts := strings.Split(sub, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		if p == "." || p == ".." {
			continue
		}
		if l.isPackage(c, kc, filepath.Join(dir, filepath.FromSlash(p)), path.Join(rel, p)) {
			return p
		}
	}
	return ""
}

// isPackage reports whether directory abs (rel in the repository) is, or
// after this run will be, a Bazel package: it has a BUILD file, or it is
// ignored or a Linux tree (its files are not ours), or its Kbuild file
// (Kbuild, or a Makefile with Kbuild content) declares a module with a
// source on disk, for which Gazelle writes a BUILD file. The answer is the
// same on the first run, when no BUILD file exists yet, as on later runs.
func (l *kbuildLang) isPackage(c *config.Config, kc *kbuildConfig, abs, rel string) bool {
	l.pkgMu.Lock()
	v, ok := l.pkgs[abs]
	l.pkgMu.Unlock()
	if ok {
		return v
	}
	v = l.computeIsPackage(c, kc, abs, rel)
	l.pkgMu.Lock()
	if l.pkgs == nil {
		l.pkgs = map[string]bool{}
	}
	l.pkgs[abs] = v
	l.pkgMu.Unlock()
	return v
}

func (l *kbuildLang) computeIsPackage(c *config.Config, kc *kbuildConfig, abs, rel string) bool {
	entries, err := os.ReadDir(abs)
	if err != nil {
		return false
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() {
			if c.IsValidBuildFileName(n) {
				return true
			}
			files = append(files, n)
		}
	}
	if kc.ignored {
		return true
	}
	for _, d := range kc.ignoredDirs {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	if kc.detectTree && isKernelTree(abs) {
		return true
	}
	name, data := findKbuild(abs, files)
	if name == "" {
		return false
	}
	parsed := Parse(path.Join(rel, name), data, l.parseOptions(c, kc, abs))
	for _, m := range parsed.Modules {
		for _, o := range m.Objects {
			base := strings.TrimSuffix(o.Path, ".o")
			for _, ext := range sourceExts {
				if st, err := os.Stat(filepath.Join(abs, filepath.FromSlash(base+ext))); err == nil && st.Mode().IsRegular() {
					return true
				}
			}
		}
	}
	return false
}

// checkCCFlags warns about -I directories outside the package: their
// headers are not inputs of the generated target.
func (l *kbuildLang) checkCCFlags(args language.GenerateArgs, kc *kbuildConfig, parsed *Parsed) {
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
		if clean != "." && l.subpackage(args.Config, kc, args.Dir, args.Rel, clean) != "" {
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
