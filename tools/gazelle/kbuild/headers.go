package kbuild

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// includeRe matches an #include line: group 1 is the delimiter (" or <),
// group 2 the name.
var includeRe = regexp.MustCompile(`^\s*#\s*include\s*(["<])([^">]+)[">]`)

// includeCache remembers the #include lines of each file read during one
// Gazelle run (modules of a package share most of their headers).
type includeCache struct {
	mu    sync.Mutex
	files map[string][]includeLine
}

type includeLine struct {
	quoted bool // "name" rather than <name>
	name   string
}

func (ic *includeCache) includes(abs string) []includeLine {
	ic.mu.Lock()
	if inc, ok := ic.files[abs]; ok {
		ic.mu.Unlock()
		return inc
	}
	ic.mu.Unlock()
	var inc []includeLine
	if data, err := os.ReadFile(abs); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
		for sc.Scan() {
			line := sc.Bytes()
			if !bytes.Contains(line, []byte("include")) {
				continue
			}
			if m := includeRe.FindSubmatch(line); m != nil {
				inc = append(inc, includeLine{quoted: m[1][0] == '"', name: string(m[2])})
			}
		}
	}
	ic.mu.Lock()
	if ic.files == nil {
		ic.files = map[string][]includeLine{}
	}
	ic.files[abs] = inc
	ic.mu.Unlock()
	return inc
}

// moduleHeaders returns the headers of the package that the module's
// sources include, directly or through other headers of the package:
// `#include "x.h"` is looked up next to the including file, then in the
// package's -I directories (from ccflags-y), then in the package directory;
// `#include <x.h>` only in the -I directories. A header outside the package
// (the kernel's, another package's) is not listed. inPackage tells whether a
// path relative to the package directory belongs to the package (it is not
// in a subpackage).
func (ic *includeCache) moduleHeaders(dir string, srcs, incDirs []string, inPackage func(rel string) bool) []string {
	seen := map[string]bool{}
	var hdrs []string
	queue := append([]string(nil), srcs...)
	for _, s := range srcs {
		seen[s] = true
	}
	exists := func(rel string) bool {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		return err == nil && st.Mode().IsRegular()
	}
	resolve := func(from string, inc includeLine) string {
		var cands []string
		if inc.quoted {
			cands = append(cands, path.Join(path.Dir(from), inc.name))
		}
		for _, d := range incDirs {
			cands = append(cands, path.Join(d, inc.name))
		}
		if inc.quoted {
			cands = append(cands, path.Clean(inc.name))
		}
		for _, c := range cands {
			if c == ".." || strings.HasPrefix(c, "../") || path.IsAbs(c) {
				continue
			}
			if exists(c) {
				return c
			}
		}
		return ""
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, inc := range ic.includes(filepath.Join(dir, filepath.FromSlash(f))) {
			rel := resolve(f, inc)
			if rel == "" || seen[rel] || !inPackage(rel) {
				continue
			}
			seen[rel] = true
			if strings.HasSuffix(rel, ".h") {
				hdrs = append(hdrs, rel)
			}
			queue = append(queue, rel)
		}
	}
	sort.Strings(hdrs)
	return hdrs
}

// includeDirs returns the -I directories of the ccflags that are inside
// the package directory, relative to it ("." for -I$(src)).
func includeDirs(flags []Object) []string {
	var out []string
	for i, f := range flags {
		inc := ""
		switch {
		case strings.HasPrefix(f.Path, "-I") && len(f.Path) > 2:
			inc = f.Path[2:]
		case f.Path == "-I" && i+1 < len(flags):
			inc = flags[i+1].Path
		default:
			continue
		}
		if strings.Contains(inc, "$") || path.IsAbs(inc) {
			continue
		}
		c := path.Clean(inc)
		if c == ".." || strings.HasPrefix(c, "../") {
			continue
		}
		out = append(out, c)
	}
	return dedupeKeepOrder(out)
}

func dedupeKeepOrder(ws []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
