package kbuild

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// This file reads the subset of GNU make that Kbuild files of out-of-tree
// modules use. It is not a make implementation: it evaluates what decides
// which modules exist and which objects they are made of, and reports
// everything else it cannot evaluate as a warning with file:line instead of
// guessing silently.
//
// Supported:
//   - logical lines joined with a trailing backslash, '#' comments ("\#" is a
//     literal '#'), recipe lines (TAB after a rule) skipped;
//   - assignments with =, :=, ::=, :::=, +=, ?= (and "override"/"export"
//     prefixes); list variables (obj-m, <mod>-objs, <mod>-y, <mod>-m,
//     ccflags-y, EXTRA_CFLAGS, subdir-ccflags-y) are kept as make variables;
//   - $(VAR), ${VAR}, $(VAR:.c=.o), $$ and the functions subst, patsubst,
//     strip, addprefix, addsuffix, notdir, basename, dir, sort, filter,
//     filter-out, findstring, firstword, lastword, wildcard, if, or, and,
//     foreach;
//   - list variables evaluated after the whole file is read, as kbuild
//     does: obj-m minus obj-y, <mod>-objs/-y/-m, helper lists;
//   - $(CONFIG_FOO) from the configuration (Options.Config: "y", "m", "n" or
//     unknown), command-line variables (Options.Vars), make's and kbuild's
//     own variables (src, obj, M, PWD, ...; "src ?= ..." keeps kbuild's);
//   - ifeq/ifneq/ifdef/ifndef/else/endif: KERNELRELEASE is defined (we are
//     the Kbuild pass, so the Makefile's "kernel build" branch is read and its
//     "call make -C" branch is not), CONFIG_ symbols come from Options.Config,
//     variables defined in the file are known. A condition that depends on
//     anything else, or on a CONFIG_ symbol whose value is unknown (it is
//     evaluated with the symbol m and again with y), cannot be evaluated: all
//     its branches are read and a warning says so.
//   - include/-include/sinclude read through Options.Include;
//   - define/endef blocks and vpath lines are skipped.

// Warning is a problem found in a Kbuild file.
type Warning struct {
	File string
	Line int
	Msg  string
}

func (w Warning) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg) }

// Object is one entry of an object list, such as "x.o" or "lib/y.o".
type Object struct {
	Path string
	Line int
}

// Module is one loadable module listed in obj-m.
type Module struct {
	// Name is the module name: "foo" for obj-m += foo.o (foo.ko).
	Name string
	// Line is the line of the obj-m assignment that lists it.
	Line int
	// Objects are the objects linked into the module. For a module without
	// a composite list (foo-objs, foo-y or foo-m) it is just foo.o.
	Objects []Object
	// Composite is true when Objects came from a <name>-objs/-y/-m list.
	Composite bool
}

// Parsed is the result of reading one Kbuild file.
type Parsed struct {
	File    string
	Modules []Module
	// CCFlags are the expanded words of ccflags-y, EXTRA_CFLAGS and
	// subdir-ccflags-y.
	CCFlags []Object
	// Subdirs are directory entries of obj-m ("sub/").
	Subdirs []Object
	// Warnings are problems found, in line order.
	Warnings []Warning
}

// Options control Parse.
type Options struct {
	// Config returns "y", "m" or "n" for a CONFIG_ symbol (with its CONFIG_
	// prefix: "CONFIG_FOO"), or "" when the value is not known (a symbol
	// that is in no Kconfig file and no directive, or one that is not a bool
	// or tristate). Nil means every symbol is unknown.
	//
	// An unknown symbol counts as enabled ("m") in object lists
	// (obj-$(CONFIG_FOO) += foo.o is a module). A conditional whose result
	// depends on whether an unknown symbol is y or m reads all its branches
	// (the union), with one warning.
	Config func(sym string) string
	// Vars are variables set as on make's command line (the
	// kernel_module_var directive): the file's own assignments to them are
	// ignored, as make ignores them, unless they use "override".
	Vars map[string]string
	// Wildcard expands a $(wildcard PATTERN) pattern, already relative to the
	// module directory. Nil means wildcard is unsupported (warning).
	Wildcard func(pattern string) []string
	// Include reads a file named by an include directive (after expansion,
	// relative to the module directory, or absolute). It returns the name
	// to use in warnings and the content. A nil Include, or an error, means
	// the file is not followed: a warning for "include", nothing for
	// "-include" and "sinclude" of a file that does not exist.
	Include func(name string) (display string, data []byte, err error)
}

type variable struct {
	value     string
	recursive bool
	// problems are what went wrong expanding a simply expanded value; they
	// are reported where the variable is used in a list that matters.
	problems []string
}

type condFrame struct {
	file         string
	line         int
	parentActive bool
	active       bool // current branch is read
	taken        bool // a branch has been found true (known conditions)
	unknown      bool // condition could not be evaluated: all branches read
	sawElse      bool
}

type parser struct {
	file     string // the file being read (changes inside an include)
	topFile  string // the Kbuild file Parse was called for
	opts     Options
	vars     map[string]*variable
	lines    map[string]map[string]int // list variable -> word -> first line
	varLine  map[string]int            // list variable -> line of its first assignment
	warnings []Warning
	conds    []*condFrame
	// unknownAs is the value an unknown CONFIG_ symbol takes: "m" (enabled)
	// except while a conditional is evaluated a second time with "y".
	unknownAs string
	// unknownSeen is set when an unknown CONFIG_ symbol is looked up.
	unknownSeen bool
	includes    int // depth of include nesting
	pending     []pendingAssign
	// literalY are the words of unconditional obj-y assignments.
	literalY map[string]bool
}

// maxIncludeDepth bounds include nesting (a file including itself).
const maxIncludeDepth = 16

type logicalLine struct {
	text   string
	line   int
	recipe bool // first physical line starts with a TAB
}

// Parse reads Kbuild (or Makefile) content. file is used in warnings.
func Parse(file string, data []byte, opts Options) *Parsed {
	p := &parser{
		file:      file,
		topFile:   file,
		opts:      opts,
		vars:      map[string]*variable{},
		lines:     map[string]map[string]int{},
		varLine:   map[string]int{},
		unknownAs: "m",
		literalY:  map[string]bool{},
	}
	p.read(data)
	for _, c := range p.conds {
		p.warnAt(c.file, c.line, "conditional is not closed by endif")
	}
	return p.result()
}

// read evaluates the lines of one file (the Kbuild file or an included one).
func (p *parser) read(data []byte) {
	lines := p.splitLines(string(data))
	inRule := false
	inDefine := false
	for _, ll := range lines {
		text := stripComment(ll.text)
		trimmed := strings.TrimSpace(text)
		if trimmed == "" {
			continue
		}
		word, rest := splitFirstWord(trimmed)
		if inDefine {
			if word == "endef" {
				inDefine = false
			}
			continue
		}
		if ll.recipe && inRule && p.active() {
			continue
		}
		switch word {
		case "ifeq", "ifneq", "ifdef", "ifndef":
			p.pushCond(word, rest, ll.line)
			continue
		case "else":
			p.elseCond(rest, ll.line)
			continue
		case "endif":
			if len(p.conds) == 0 {
				p.warn(ll.line, "endif without a matching if")
			} else {
				p.conds = p.conds[:len(p.conds)-1]
			}
			continue
		}
		if !p.active() {
			continue
		}
		switch word {
		case "define":
			inDefine = true
			continue
		case "endef":
			p.warn(ll.line, "endef without define")
			continue
		case "include", "-include", "sinclude":
			p.include(word, rest, ll.line)
			continue
		case "vpath", "unexport":
			continue
		}
		override, prefixed := false, false
		for {
			w, r := splitFirstWord(trimmed)
			if w != "override" && w != "export" && w != "private" {
				break
			}
			override = override || w == "override"
			prefixed = true
			trimmed = r
		}
		if prefixed && !strings.Contains(trimmed, "=") {
			continue // "export FOO": nothing to evaluate
		}
		kind, lhs, op, rhs := classify(trimmed)
		switch kind {
		case lineRule:
			inRule = true
		case lineAssign:
			inRule = false
			p.assign(lhs, op, rhs, ll.line, override)
		default:
			inRule = false
			if strings.HasPrefix(trimmed, "$(") || strings.HasPrefix(trimmed, "${") {
				// A function call such as $(info ...) or $(eval ...).
				if strings.HasPrefix(trimmed, "$(eval") || strings.HasPrefix(trimmed, "${eval") {
					p.warn(ll.line, "$(eval ...) is not evaluated")
				}
				continue
			}
			p.warn(ll.line, fmt.Sprintf("cannot parse %q (no assignment operator, rule or directive); line ignored", shorten(trimmed)))
		}
	}
	if inDefine {
		p.warn(len(lines), "define without endef at end of file")
	}
}

// include follows an include directive: each word of its expanded argument
// names a file (or a glob pattern) that is read in place, as make does.
func (p *parser) include(word, rest string, line int) {
	optional := word != "include"
	arg, probs := p.expand(rest, 0)
	if len(probs) > 0 {
		p.warn(line, fmt.Sprintf("%s %s: %s; not followed", word, rest, strings.Join(dedupe(probs), "; ")))
		return
	}
	if p.opts.Include == nil {
		p.warn(line, fmt.Sprintf("%s is not followed; modules and objects defined in %q are not seen", word, rest))
		return
	}
	if p.includes >= maxIncludeDepth {
		p.warn(line, fmt.Sprintf("%s %s: includes nested more than %d deep; not followed", word, rest, maxIncludeDepth))
		return
	}
	for _, name := range strings.Fields(arg) {
		names := []string{name}
		if strings.ContainsAny(name, "*?[") {
			if p.opts.Wildcard == nil {
				continue
			}
			names = p.opts.Wildcard(name)
		}
		for _, n := range names {
			display, data, err := p.opts.Include(n)
			if err != nil {
				if !optional {
					p.warn(line, fmt.Sprintf("%s %s: %v; not followed, modules and objects defined there are not seen", word, n, err))
				}
				continue
			}
			saved := p.file
			p.file = display
			p.includes++
			depth := len(p.conds)
			p.read(data)
			for len(p.conds) > depth {
				c := p.conds[len(p.conds)-1]
				p.warnAt(c.file, c.line, "conditional is not closed by endif")
				p.conds = p.conds[:len(p.conds)-1]
			}
			p.includes--
			p.file = saved
		}
	}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func (p *parser) warn(line int, msg string) {
	p.warnAt(p.file, line, msg)
}

func (p *parser) warnAt(file string, line int, msg string) {
	p.warnings = append(p.warnings, Warning{File: file, Line: line, Msg: msg})
}

// splitLines joins backslash continuations and records line numbers.
func (p *parser) splitLines(s string) []logicalLine {
	phys := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var out []logicalLine
	var cur strings.Builder
	start := 0
	recipe := false
	pending := false
	for i, l := range phys {
		if !pending {
			start = i + 1
			recipe = strings.HasPrefix(l, "\t")
			cur.Reset()
		} else {
			l = strings.TrimLeft(l, " \t")
			cur.WriteByte(' ')
		}
		if n := trailingBackslashes(l); n%2 == 1 {
			cur.WriteString(strings.TrimRight(l[:len(l)-1], " \t"))
			pending = true
			continue
		}
		cur.WriteString(l)
		pending = false
		out = append(out, logicalLine{text: cur.String(), line: start, recipe: recipe})
	}
	if pending {
		p.warn(start, "line continuation ('\\') at end of file")
		out = append(out, logicalLine{text: cur.String(), line: start, recipe: recipe})
	}
	return out
}

func trailingBackslashes(s string) int {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n
}

// stripComment removes a '#' comment; "\#" stands for a literal '#'.
func stripComment(s string) string {
	if !strings.Contains(s, "#") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '#' {
			b.WriteByte('#')
			i++
			continue
		}
		if s[i] == '#' {
			break
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func splitFirstWord(s string) (string, string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

type lineKind int

const (
	lineOther lineKind = iota
	lineAssign
	lineRule
)

// classify finds the first top-level ':' or '=' (outside $(...)).
func classify(s string) (kind lineKind, lhs, op, rhs string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '{'):
			depth++
			i++
		case c == '$' && i+1 < len(s) && s[i+1] == '$':
			i++
		case (c == ')' || c == '}') && depth > 0:
			depth--
		case depth > 0:
		case c == '=':
			opStart := i
			if i > 0 && strings.ContainsRune("+?!", rune(s[i-1])) {
				opStart = i - 1
			}
			return lineAssign, strings.TrimSpace(s[:opStart]), s[opStart : i+1], strings.TrimSpace(s[i+1:])
		case c == ':':
			// :=, ::=, :::=
			j := i
			for j < len(s) && s[j] == ':' {
				j++
			}
			if j < len(s) && s[j] == '=' && j-i <= 3 {
				return lineAssign, strings.TrimSpace(s[:i]), s[i : j+1], strings.TrimSpace(s[j+1:])
			}
			return lineRule, "", "", ""
		}
	}
	return lineOther, "", "", ""
}

func (p *parser) active() bool {
	for _, c := range p.conds {
		if !c.active {
			return false
		}
	}
	return true
}

func (p *parser) pushCond(word, rest string, line int) {
	f := &condFrame{file: p.file, line: line, parentActive: p.active()}
	p.conds = append(p.conds, f)
	if !f.parentActive {
		return
	}
	p.evalInto(f, word, rest, line)
}

func (p *parser) evalInto(f *condFrame, word, rest string, line int) {
	val, ok, why := p.evalCondTyped(word, rest)
	if !ok {
		p.warn(line, fmt.Sprintf("cannot evaluate %s %s (%s); reading all its branches", word, rest, why))
		f.unknown = true
		f.active = true
		return
	}
	f.active = val
	f.taken = val
}

// evalCondTyped evaluates a conditional as make would for the assumed
// configuration. When it looks up a CONFIG_ symbol of unknown value, it is
// evaluated again with that symbol "y" instead of "m": if the answers
// differ, the result is unknown.
func (p *parser) evalCondTyped(word, rest string) (val, ok bool, why string) {
	p.unknownSeen = false
	val, ok, why = p.evalCond(word, rest)
	if !ok || !p.unknownSeen {
		return val, ok, why
	}
	p.unknownAs = "y"
	val2, ok2, _ := p.evalCond(word, rest)
	p.unknownAs = "m"
	if ok2 && val2 == val {
		return val, true, ""
	}
	return false, false, "it depends on a CONFIG_ symbol whose type is in no Kconfig file of the repository; set it with # gazelle:kernel_module_config"
}

func (p *parser) elseCond(rest string, line int) {
	if len(p.conds) == 0 {
		p.warn(line, "else without a matching if")
		return
	}
	f := p.conds[len(p.conds)-1]
	if f.sawElse {
		p.warn(line, "more than one plain else in one conditional")
	}
	if !f.parentActive {
		return
	}
	if f.unknown {
		f.active = true
		return
	}
	if f.taken {
		f.active = false
		return
	}
	if rest == "" {
		f.sawElse = true
		f.active = true
		f.taken = true
		return
	}
	word, r := splitFirstWord(rest)
	switch word {
	case "ifeq", "ifneq", "ifdef", "ifndef":
		p.evalInto(f, word, r, line)
	default:
		p.warn(line, fmt.Sprintf("unexpected text after else: %q", rest))
		f.active = false
	}
}

// evalCond evaluates a conditional. ok is false when it depends on
// something unknown at generation time.
func (p *parser) evalCond(word, rest string) (val, ok bool, why string) {
	switch word {
	case "ifdef", "ifndef":
		name, probs := p.expand(strings.TrimSpace(rest), 0)
		if len(probs) > 0 {
			return false, false, strings.Join(probs, "; ")
		}
		name = strings.TrimSpace(name)
		def, known := p.isDefined(name)
		if !known {
			return false, false, fmt.Sprintf("%s is not defined in the file", name)
		}
		return def == (word == "ifdef"), true, ""
	}
	a, b, err := splitCondArgs(rest)
	if err != "" {
		return false, false, err
	}
	av, p1 := p.expand(a, 0)
	bv, p2 := p.expand(b, 0)
	if probs := append(p1, p2...); len(probs) > 0 {
		return false, false, strings.Join(probs, "; ")
	}
	eq := strings.TrimSpace(av) == strings.TrimSpace(bv)
	return eq == (word == "ifeq"), true, ""
}

// isDefined reports whether a variable has a non-empty value (make's ifdef)
// and whether that is known.
func (p *parser) isDefined(name string) (bool, bool) {
	if name == "KERNELRELEASE" {
		return true, true
	}
	if v, ok := p.opts.Vars[name]; ok {
		return v != "", true
	}
	if strings.HasPrefix(name, "CONFIG_") {
		return p.config(name) != "n", true
	}
	if v, ok := p.vars[name]; ok {
		return v.value != "", true
	}
	if _, ok := builtinVars[name]; ok {
		return true, true
	}
	if unsetVars[name] {
		return false, true
	}
	return false, false
}

// splitCondArgs splits "(a,b)" or "'a' 'b'" / "\"a\" \"b\"".
func splitCondArgs(s string) (string, string, string) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		inner := s[1 : len(s)-1]
		depth := 0
		for i := 0; i < len(inner); i++ {
			switch inner[i] {
			case '(', '{':
				depth++
			case ')', '}':
				depth--
			case ',':
				if depth == 0 {
					return inner[:i], inner[i+1:], ""
				}
			}
		}
		return "", "", "no comma between the arguments"
	}
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') {
		q := s[0]
		end := strings.IndexByte(s[1:], q)
		if end >= 0 {
			a := s[1 : 1+end]
			r := strings.TrimSpace(s[2+end:])
			if len(r) >= 2 && (r[0] == '"' || r[0] == '\'') && r[len(r)-1] == r[0] {
				return a, r[1 : len(r)-1], ""
			}
		}
	}
	return "", "", "malformed arguments"
}

// config returns the value of a CONFIG_ symbol: "y", "m", "n", or
// unknownAs when the configuration does not know it.
func (p *parser) config(sym string) string {
	v := ""
	if p.opts.Config != nil {
		v = p.opts.Config(sym)
	}
	switch v {
	case "y", "m", "n":
		return v
	default:
		p.unknownSeen = true
		return p.unknownAs
	}
}

// builtinVars are variables Kbuild defines for an external module build.
// Paths of the module directory expand to "." so that "-I$(src)/include"
// becomes "-I./include".
var builtinVars = map[string]string{
	"src":           ".",
	"obj":           ".",
	"M":             ".",
	"PWD":           ".",
	"CURDIR":        ".",
	"KBUILD_EXTMOD": ".",
	"srctree":       "$(srctree)",
	"objtree":       "$(objtree)",
	"KERNELRELEASE": "kbuild",
	"CC":            "cc",
	"MAKE":          "make",
}

// unsetVars are kbuild variables that are empty unless make's command line
// sets them (W=, C=, ...): known to be undefined.
var unsetVars = map[string]bool{
	"KBUILD_EXTRA_WARN": true, "KBUILD_CHECKSRC": true, "KBUILD_VERBOSE": true,
	"KBUILD_SRC": true, "KCOV_INSTRUMENT": true,
}

const maxExpandDepth = 32

// expand expands variable references and supported functions. problems
// lists what could not be expanded; the expansion of those parts is empty.
func (p *parser) expand(s string, depth int) (string, []string) {
	if depth > maxExpandDepth {
		return "", []string{"variable expansion is recursive"}
	}
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	var probs []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			b.WriteByte('$')
			break
		}
		n := s[i+1]
		switch n {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '(', '{':
			closer := byte(')')
			if n == '{' {
				closer = '}'
			}
			end := matchClose(s, i+2, n, closer)
			if end < 0 {
				probs = append(probs, fmt.Sprintf("unterminated %q", s[i:]))
				return b.String(), probs
			}
			inner := s[i+2 : end]
			val, pr := p.expandRef(inner, depth)
			b.WriteString(val)
			probs = append(probs, pr...)
			i = end
		default:
			val, pr := p.lookup(string(n), depth)
			b.WriteString(val)
			probs = append(probs, pr...)
			i++
		}
	}
	return b.String(), probs
}

func matchClose(s string, from int, open, close byte) int {
	depth := 1
	for j := from; j < len(s); j++ {
		switch s[j] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

var funcNameRe = regexp.MustCompile(`^([a-z-]+)[ \t]`)

func (p *parser) expandRef(inner string, depth int) (string, []string) {
	if m := funcNameRe.FindStringSubmatch(inner); m != nil {
		return p.callFunc(m[1], inner[len(m[0]):], depth)
	}
	// Substitution reference $(VAR:a=b).
	if i := topLevelIndex(inner, ':'); i >= 0 {
		if j := strings.IndexByte(inner[i:], '='); j > 0 {
			name, pr := p.expand(inner[:i], depth+1)
			val, pr2 := p.lookup(strings.TrimSpace(name), depth)
			from, pr3 := p.expand(inner[i+1:i+j], depth+1)
			to, pr4 := p.expand(inner[i+j+1:], depth+1)
			probs := append(append(append(pr, pr2...), pr3...), pr4...)
			if !strings.Contains(from, "%") {
				from, to = "%"+from, "%"+to
			}
			return patsubst(from, to, val), probs
		}
	}
	name, pr := p.expand(inner, depth+1)
	val, pr2 := p.lookup(strings.TrimSpace(name), depth)
	return val, append(pr, pr2...)
}

func topLevelIndex(s string, c byte) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
		case c:
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func (p *parser) lookup(name string, depth int) (string, []string) {
	if v, ok := p.opts.Vars[name]; ok && p.vars[name] == nil {
		return p.expand(v, depth+1)
	}
	if strings.HasPrefix(name, "CONFIG_") {
		if v := p.config(name); v != "n" {
			return v, nil
		}
		return "", nil
	}
	if v, ok := p.vars[name]; ok {
		if v.recursive {
			return p.expand(v.value, depth+1)
		}
		return v.value, v.problems
	}
	if v, ok := builtinVars[name]; ok {
		return v, nil
	}
	if _, ok := listKind(name); ok || unsetVars[name] || strings.HasPrefix(name, "obj-") {
		// An unset kbuild list (foo-y before its first +=) or a kbuild
		// variable that is empty unless make is called with it: empty, as
		// in make.
		return "", nil
	}
	return "", []string{fmt.Sprintf("variable %s is not defined in the file", name)}
}

// splitArgs splits function arguments at top-level commas (rawArgs) and
// expands each.
func (p *parser) splitArgs(s string, depth int) ([]string, []string) {
	args := rawArgs(s)
	var probs []string
	for i, a := range args {
		v, pr := p.expand(a, depth+1)
		args[i] = v
		probs = append(probs, pr...)
	}
	return args, probs
}

// rawArgs splits function arguments at top-level commas without expanding
// them.
func rawArgs(s string) []string {
	var args []string
	d := 0
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{':
			d++
		case ')', '}':
			d--
		case ',':
			if d == 0 {
				args = append(args, s[start:i])
				start = i + 1
			}
		}
	}
	return append(args, s[start:])
}

// callLazy evaluates the functions whose arguments make expands only when
// needed: if, or, and, foreach. ok is false for other functions.
func (p *parser) callLazy(name, argText string, depth int) (val string, probs []string, ok bool) {
	switch name {
	case "if", "or", "and", "foreach":
	default:
		return "", nil, false
	}
	raw := rawArgs(argText)
	exp := func(s string) string {
		v, pr := p.expand(s, depth+1)
		probs = append(probs, pr...)
		return v
	}
	switch name {
	case "if":
		if len(raw) < 2 || len(raw) > 3 {
			return "", []string{fmt.Sprintf("$(if ...) takes 2 or 3 arguments, got %d", len(raw))}, true
		}
		if strings.TrimSpace(exp(raw[0])) != "" {
			return exp(raw[1]), probs, true
		}
		if len(raw) == 3 {
			return exp(raw[2]), probs, true
		}
		return "", probs, true
	case "or":
		for _, a := range raw {
			if v := strings.TrimSpace(exp(a)); v != "" {
				return v, probs, true
			}
		}
		return "", probs, true
	case "and":
		v := ""
		for _, a := range raw {
			if v = strings.TrimSpace(exp(a)); v == "" {
				return "", probs, true
			}
		}
		return v, probs, true
	}
	// foreach VAR,LIST,TEXT
	if len(raw) != 3 {
		return "", []string{fmt.Sprintf("$(foreach ...) takes 3 arguments, got %d", len(raw))}, true
	}
	name = strings.TrimSpace(exp(raw[0]))
	list := strings.Fields(exp(raw[1]))
	saved, had := p.vars[name]
	var out []string
	for _, w := range list {
		p.vars[name] = &variable{value: w}
		if v := strings.TrimSpace(exp(raw[2])); v != "" {
			out = append(out, v)
		}
	}
	if had {
		p.vars[name] = saved
	} else {
		delete(p.vars, name)
	}
	return strings.Join(out, " "), probs, true
}

func (p *parser) callFunc(name, argText string, depth int) (string, []string) {
	if v, probs, ok := p.callLazy(name, argText, depth); ok {
		return v, probs
	}
	args, probs := p.splitArgs(argText, depth)
	need := func(n int) bool {
		if len(args) != n {
			probs = append(probs, fmt.Sprintf("$(%s ...) takes %d arguments, got %d", name, n, len(args)))
			return false
		}
		return true
	}
	switch name {
	case "subst":
		if need(3) {
			return strings.ReplaceAll(args[2], args[0], args[1]), probs
		}
	case "patsubst":
		if need(3) {
			return patsubst(strings.TrimSpace(args[0]), strings.TrimSpace(args[1]), args[2]), probs
		}
	case "strip":
		return strings.Join(strings.Fields(strings.Join(args, ",")), " "), probs
	case "addprefix", "addsuffix":
		if need(2) {
			var out []string
			for _, w := range strings.Fields(args[1]) {
				if name == "addprefix" {
					out = append(out, strings.TrimSpace(args[0])+w)
				} else {
					out = append(out, w+strings.TrimSpace(args[0]))
				}
			}
			return strings.Join(out, " "), probs
		}
	case "notdir", "basename":
		var out []string
		for _, w := range strings.Fields(strings.Join(args, ",")) {
			if name == "notdir" {
				out = append(out, path.Base(w))
			} else {
				out = append(out, strings.TrimSuffix(w, path.Ext(w)))
			}
		}
		return strings.Join(out, " "), probs
	case "sort":
		ws := strings.Fields(strings.Join(args, ","))
		sort.Strings(ws)
		return strings.Join(dedupe(ws), " "), probs
	case "filter", "filter-out":
		if need(2) {
			pats := strings.Fields(args[0])
			var out []string
			for _, w := range strings.Fields(args[1]) {
				m := false
				for _, pt := range pats {
					if _, ok := matchPattern(pt, w); ok {
						m = true
						break
					}
				}
				if m == (name == "filter") {
					out = append(out, w)
				}
			}
			return strings.Join(out, " "), probs
		}
	case "findstring":
		if need(2) {
			if strings.Contains(args[1], args[0]) {
				return args[0], probs
			}
			return "", probs
		}
	case "dir":
		var out []string
		for _, w := range strings.Fields(strings.Join(args, ",")) {
			if i := strings.LastIndexByte(w, '/'); i >= 0 {
				out = append(out, w[:i+1])
			} else {
				out = append(out, "./")
			}
		}
		return strings.Join(out, " "), probs
	case "firstword", "lastword":
		ws := strings.Fields(strings.Join(args, ","))
		if len(ws) == 0 {
			return "", probs
		}
		if name == "firstword" {
			return ws[0], probs
		}
		return ws[len(ws)-1], probs
	case "wildcard":
		if p.opts.Wildcard == nil {
			return "", append(probs, "$(wildcard ...) is not supported here")
		}
		var out []string
		for _, pat := range strings.Fields(strings.Join(args, ",")) {
			out = append(out, p.opts.Wildcard(pat)...)
		}
		return strings.Join(out, " "), probs
	default:
		return "", append(probs, fmt.Sprintf("function $(%s ...) is not supported", name))
	}
	return "", probs
}

func dedupe(ws []string) []string {
	var out []string
	for i, w := range ws {
		if i == 0 || w != ws[i-1] {
			out = append(out, w)
		}
	}
	return out
}

func matchPattern(pat, w string) (string, bool) {
	i := strings.IndexByte(pat, '%')
	if i < 0 {
		return "", pat == w
	}
	pre, suf := pat[:i], pat[i+1:]
	if len(w) >= len(pre)+len(suf) && strings.HasPrefix(w, pre) && strings.HasSuffix(w, suf) {
		return w[len(pre) : len(w)-len(suf)], true
	}
	return "", false
}

func patsubst(from, to, text string) string {
	var out []string
	for _, w := range strings.Fields(text) {
		if stem, ok := matchPattern(from, w); ok {
			if strings.Contains(from, "%") {
				out = append(out, strings.Replace(to, "%", stem, 1))
			} else {
				out = append(out, to)
			}
		} else {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// Kbuild variables that are not composite object lists even though they end
// in -y/-m/-objs.
var notComposite = map[string]bool{
	"obj": true, "lib": true, "always": true, "extra": true, "hostprogs": true,
	"userprogs": true, "subdir": true, "ccflags": true, "asflags": true,
	"ldflags": true, "subdir-ccflags": true, "subdir-asflags": true,
	"ccflags-remove": true, "asflags-remove": true, "targets": true,
	"clean-files": true, "rustflags": true,
}

var ccflagVars = map[string]bool{"ccflags-y": true, "EXTRA_CFLAGS": true, "subdir-ccflags-y": true}

// listKind tells whether lhs names a variable whose words matter.
func listKind(lhs string) (string, bool) {
	switch {
	case lhs == "obj-m":
		return "obj-m", true
	case ccflagVars[lhs]:
		return "ccflags", true
	}
	for _, suf := range []string{"-objs", "-y", "-m"} {
		if strings.HasSuffix(lhs, suf) && !notComposite[strings.TrimSuffix(lhs, suf)] {
			return "composite", true
		}
	}
	return "", false
}

var lhsKbuildRe = regexp.MustCompile(`^(obj-|ccflags-|[A-Za-z0-9_]+-(objs|y|m)$)`)

func (p *parser) assign(lhsRaw, op, rhsRaw string, line int, override bool) {
	lhs, probs := p.expand(lhsRaw, 0)
	lhs = strings.TrimSpace(lhs)
	if len(probs) > 0 {
		if lhsKbuildRe.MatchString(lhsRaw) {
			p.warn(line, fmt.Sprintf("cannot expand %q (%s); line ignored", lhsRaw, strings.Join(probs, "; ")))
		}
		return
	}
	if lhs == "" {
		p.warn(line, "assignment without a variable name; line ignored")
		return
	}
	if strings.ContainsAny(lhs, " \t") {
		p.warn(line, fmt.Sprintf("malformed assignment to %q (space in the variable name); line ignored", lhs))
		return
	}
	if strings.HasPrefix(lhs, "obj-") && lhs != "obj-m" {
		// obj-y (built-in), obj-n / obj- (disabled): no module. A value other
		// than y/m/n (e.g. obj-foo) is a mistake worth reporting.
		switch strings.TrimPrefix(lhs, "obj-") {
		case "y", "n", "", "Y", "M", "N":
		default:
			p.warn(line, fmt.Sprintf("%q is not obj-m, obj-y or obj-n (check the CONFIG_ value); line ignored", lhs))
		}
	}
	if _, ok := p.opts.Vars[lhs]; ok && !override {
		return // set as on the command line: make ignores the file's assignment
	}

	// Keep the make variable for later $(...) references. List variables are
	// expanded at the end, as kbuild does after reading the whole file.
	v, exists := p.vars[lhs]
	var assignProbs []string
	switch op {
	case "=":
		p.vars[lhs] = &variable{value: rhsRaw, recursive: true}
	case ":=", "::=", ":::=":
		val, pr := p.expand(rhsRaw, 0)
		p.vars[lhs] = &variable{value: val, problems: pr}
		assignProbs = pr
	case "+=":
		if !exists {
			if bv, ok := builtinVars[lhs]; ok {
				p.vars[lhs] = &variable{value: joinWords(bv, rhsRaw), recursive: true}
			} else {
				p.vars[lhs] = &variable{value: rhsRaw, recursive: true}
			}
		} else if v.recursive {
			v.value = joinWords(v.value, rhsRaw)
		} else {
			val, pr := p.expand(rhsRaw, 0)
			v.value = joinWords(v.value, val)
			v.problems = append(v.problems, pr...)
			assignProbs = pr
		}
	case "?=":
		// make's own and kbuild's variables (src, obj, PWD, ...) are defined:
		// "src ?= $(PWD)" keeps kbuild's src.
		if _, builtin := builtinVars[lhs]; exists || builtin {
			return
		}
		p.vars[lhs] = &variable{value: rhsRaw, recursive: true}
	case "!=":
		p.vars[lhs] = &variable{problems: []string{fmt.Sprintf("%s is assigned from a shell command", lhs)}}
	}

	if lhs == "obj-y" && !strings.Contains(lhsRaw, "$") && op != "!=" {
		val, _ := p.expand(rhsRaw, 0)
		if op != "+=" {
			p.literalY = map[string]bool{}
		}
		for _, w := range strings.Fields(val) {
			p.literalY[w] = true
		}
	}
	if _, ok := listKind(lhs); !ok {
		return
	}
	if op == "!=" {
		p.warn(line, fmt.Sprintf("%s != (shell assignment) is not evaluated; line ignored", lhs))
		return
	}
	if _, seen := p.varLine[lhs]; !seen {
		p.varLine[lhs] = line
	}
	recursive := p.vars[lhs].recursive
	val, pr := p.expand(rhsRaw, 0)
	if !recursive {
		pr = assignProbs
	}
	p.pending = append(p.pending, pendingAssign{file: p.file, line: line, lhs: lhs, rhs: rhsRaw, recursive: recursive, probs: pr})
	m := p.lines[lhs]
	if m == nil {
		m = map[string]int{}
		p.lines[lhs] = m
	}
	for _, w := range strings.Fields(val) {
		if _, ok := m[w]; !ok {
			m[w] = line
		}
	}
}

// pendingAssign is an assignment to a list variable whose problems are
// reported once the whole file is read: a recursively expanded value may
// use variables defined further down, as make allows.
type pendingAssign struct {
	file      string
	line      int
	lhs, rhs  string
	recursive bool
	probs     []string
}

func joinWords(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + " " + b
}

var moduleNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// finalWords expands a list variable after the whole file is read, as
// kbuild does, and gives each word the line that added it.
func (p *parser) finalWords(name string) []Object {
	v, ok := p.vars[name]
	if !ok {
		return nil
	}
	val := v.value
	if v.recursive {
		val, _ = p.expand(v.value, 0)
	}
	var out []Object
	for _, w := range strings.Fields(val) {
		line, ok := p.lines[name][w]
		if !ok {
			line = p.varLine[name]
		}
		out = append(out, Object{Path: w, Line: line})
	}
	return out
}

func (p *parser) result() *Parsed {
	res := &Parsed{File: p.topFile}
	// Problems of list assignments, now that every variable is known.
	for _, pa := range p.pending {
		probs := pa.probs
		if pa.recursive {
			_, probs = p.expand(pa.rhs, 0)
		}
		if len(probs) > 0 {
			p.warnAt(pa.file, pa.line, fmt.Sprintf("in %s: %s; those words are left out", pa.lhs, strings.Join(dedupe(probs), "; ")))
		}
	}
	// kbuild drops from obj-m what is also in obj-y. An object that only a
	// bool symbol puts in obj-y (obj-$(CONFIG_BOOL)) is never a module. One
	// that a tristate symbol also lists in obj-m is a module whenever that
	// bool is n (SND_SOC_RT5514_SPI_BUILTIN and SND_SOC_RT5514_SPI): only
	// an unconditional "obj-y +=" makes it built-in for every configuration.
	builtin := map[string]bool{}
	for w := range p.literalY {
		builtin[path.Clean(w)] = true
	}
	seen := map[string]bool{}
	var dirs []Object
	for _, o := range p.finalWords("obj-m") {
		switch {
		case strings.HasSuffix(o.Path, "/"):
			if !seen[o.Path] {
				seen[o.Path] = true
				res.Subdirs = append(res.Subdirs, o)
				dirs = append(dirs, o)
			}
			continue
		case !strings.HasSuffix(o.Path, ".o"):
			p.warn(o.Line, fmt.Sprintf("obj-m entry %q is not an object file (.o); skipped", o.Path))
			continue
		case builtin[path.Clean(o.Path)]:
			continue // also in obj-y: kbuild builds it in, not as a module
		}
		name := strings.TrimSuffix(o.Path, ".o")
		if strings.Contains(name, "/") {
			p.warn(o.Line, fmt.Sprintf("obj-m entry %q is in a subdirectory; not supported, skipped (give %s its own Kbuild)", o.Path, path.Dir(name)))
			continue
		}
		if !moduleNameRe.MatchString(name) {
			p.warn(o.Line, fmt.Sprintf("obj-m entry %q is not a valid module name; skipped", o.Path))
			continue
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		m := Module{Name: name, Line: o.Line}
		for _, suf := range []string{"-objs", "-y", "-m"} {
			for _, c := range p.finalWords(name + suf) {
				m.Composite = true
				switch {
				case !strings.HasSuffix(c.Path, ".o"):
					p.warn(c.Line, fmt.Sprintf("%s%s entry %q is not an object file (.o); skipped", name, suf, c.Path))
				case c.Path == name+".o":
					p.warn(c.Line, fmt.Sprintf("%s%s lists %s itself (circular); skipped", name, suf, c.Path))
				case strings.HasPrefix(c.Path, "/") || strings.HasPrefix(path.Clean(c.Path), ".."):
					p.warn(c.Line, fmt.Sprintf("%s%s entry %q is outside the module directory; skipped", name, suf, c.Path))
				default:
					m.Objects = append(m.Objects, Object{Path: path.Clean(c.Path), Line: c.Line})
				}
			}
		}
		if m.Composite && len(m.Objects) == 0 {
			p.warn(o.Line, fmt.Sprintf("module %s has a composite object list without usable objects; skipped", name))
			continue
		}
		if !m.Composite {
			m.Objects = []Object{{Path: o.Path, Line: o.Line}}
		}
		m.Objects = dedupeObjects(m.Objects)
		res.Modules = append(res.Modules, m)
	}
	if len(dirs) > 0 {
		var names []string
		for _, d := range dirs {
			names = append(names, d.Path)
		}
		if len(names) > 5 {
			names = append(names[:5], "...")
		}
		p.warnAt(p.topFile, dirs[0].Line, fmt.Sprintf("obj-m lists %d director%s (%s): not followed from here; each gets its targets from its own Kbuild or Makefile", len(dirs), map[bool]string{true: "y", false: "ies"}[len(dirs) == 1], strings.Join(names, " ")))
	}
	for v := range ccflagVars {
		res.CCFlags = append(res.CCFlags, p.finalWords(v)...)
	}
	sort.SliceStable(res.CCFlags, func(i, j int) bool { return res.CCFlags[i].Line < res.CCFlags[j].Line })
	sort.SliceStable(p.warnings, func(i, j int) bool {
		a, b := p.warnings[i], p.warnings[j]
		if (a.File == p.topFile) != (b.File == p.topFile) {
			return a.File == p.topFile
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	res.Warnings = p.warnings
	return res
}

func dedupeObjects(objs []Object) []Object {
	seen := map[string]bool{}
	var out []Object
	for _, o := range objs {
		if !seen[o.Path] {
			seen[o.Path] = true
			out = append(out, o)
		}
	}
	return out
}

// HasObjM reports whether content mentions obj-m or obj-$(...) at all; a
// Makefile without such a line is not a Kbuild file and is left alone.
func HasObjM(data []byte) bool {
	return objMRe.Match(data)
}

var objMRe = regexp.MustCompile(`(?m)^[ \t]*(override[ \t]+)?obj-(m|\$[({][A-Za-z0-9_]+[)}])[ \t]*[:+?]?=`)
