package kbuild

import "sort"

// C symbol scanning for dependency resolution between modules.
//
// This is a tokenizer, not a C preprocessor or parser. Its limits:
//   - comments, string and character literals and #include lines are
//     skipped; everything else, including #if 0 blocks and macro bodies, is
//     scanned, so a dependency may be found that the preprocessor would drop;
//   - any identifier that another module exports counts as a use, even a
//     local variable or struct member that happens to share the name: such a
//     clash gives an extra dependency, never a missing one;
//   - names built by token pasting (a##b) and uses inside headers that are
//     not in the module's package are not seen: add those deps by hand and
//     mark them "# keep".

// exportMacros are the macros that export a symbol; the symbol is the first
// argument.
var exportMacros = map[string]bool{
	"EXPORT_SYMBOL":                 true,
	"EXPORT_SYMBOL_GPL":             true,
	"EXPORT_SYMBOL_NS":              true,
	"EXPORT_SYMBOL_NS_GPL":          true,
	"EXPORT_SYMBOL_GPL_FOR_MODULES": true,
	"EXPORT_SYMBOL_FOR_MODULES":     true,
	"EXPORT_SYMBOL_GPL_FUTURE":      true,
	"EXPORT_UNUSED_SYMBOL":          true,
	"EXPORT_UNUSED_SYMBOL_GPL":      true,
}

// ScanC returns the symbols exported by src (EXPORT_SYMBOL(x) and friends)
// and every identifier it uses.
func ScanC(src []byte) (exports []string, idents []string) {
	toks := tokenize(src)
	exp := map[string]bool{}
	ids := map[string]bool{}
	for i, t := range toks {
		if !t.ident {
			continue
		}
		ids[t.text] = true
		if exportMacros[t.text] && i+2 < len(toks) && toks[i+1].text == "(" && toks[i+2].ident {
			exp[toks[i+2].text] = true
		}
	}
	for m := range exportMacros {
		delete(ids, m)
	}
	return sortedKeys(exp), sortedKeys(ids)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type token struct {
	text  string
	ident bool
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func tokenize(s []byte) []token {
	var toks []token
	atLineStart := true
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			atLineStart = true
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i += 2
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			i += 2
			for i+1 < len(s) && !(s[i] == '*' && s[i+1] == '/') {
				i++
			}
			i += 2
		case c == '"' || c == '\'':
			i++
			for i < len(s) && s[i] != c && s[i] != '\n' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			i++
			atLineStart = false
		case c == '#' && atLineStart:
			// A preprocessor line: skip #include lines entirely (header names
			// are not identifiers); scan the rest as ordinary tokens.
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			k := j
			for k < len(s) && isIdentChar(s[k]) {
				k++
			}
			if d := string(s[j:k]); d == "include" || d == "include_next" {
				for i < len(s) && s[i] != '\n' {
					if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\n' {
						i++
					}
					i++
				}
			} else {
				i = k
			}
			atLineStart = false
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			toks = append(toks, token{text: string(s[i:j]), ident: true})
			i = j
			atLineStart = false
		case c >= '0' && c <= '9':
			for i < len(s) && (isIdentChar(s[i]) || s[i] == '.') {
				i++
			}
			atLineStart = false
		default:
			toks = append(toks, token{text: string(c)})
			i++
			atLineStart = false
		}
	}
	return toks
}
