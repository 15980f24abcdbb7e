// Package protocol defines the line protocol between the QEMU guest init
// (rules/private/qemu/init) and the host-side driver (rules/private/qemu/driver).
//
// The guest prints one line per fact on the serial console, each starting with
// a fixed tag so that the host can pick them out of the kernel's own output:
//
//	MODSIGN-INIT start
//	MODSIGN-RESULT module=hello.ko name=hello result=loaded
//	MODSIGN-RESULT module=unsigned.ko name=hello result=EKEYREJECTED errno=129
//	MODSIGN-KEY 1a2b3c4d I------ 1 perm 1f030000 0 0 asymmetri Out of tree build key: ...
//	MODSIGN-DMESG <4>[    1.234] Loading of unsigned module is rejected
//	MODSIGN-DONE results=2
//
// Values in MODSIGN-RESULT are single words (no spaces).
package protocol

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Line tags.
const (
	TagInit   = "MODSIGN-INIT"
	TagResult = "MODSIGN-RESULT"
	TagKey    = "MODSIGN-KEY"
	TagDmesg  = "MODSIGN-DMESG"
	TagDone   = "MODSIGN-DONE"
	TagError  = "MODSIGN-ERROR"
)

// ResultLoaded is the result of a module that finit_module accepted.
const ResultLoaded = "loaded"

// Result is the outcome of loading one module in the guest.
type Result struct {
	Module string // file name under /modules
	Name   string // module name from .modinfo, if it could be read
	Result string // ResultLoaded or an errno name such as EKEYREJECTED
	Fields map[string]string
	Line   string // the raw serial line
}

// FormatResult renders a MODSIGN-RESULT line (without newline). extra holds
// additional key=value fields, rendered in sorted key order.
func FormatResult(module, name, result string, extra map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s module=%s name=%s result=%s", TagResult, word(module), word(name), word(result))
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, word(extra[k]))
	}
	return b.String()
}

func word(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '=' {
			return '_'
		}
		return r
	}, s)
}

// Report is everything the host learnt from one guest run.
type Report struct {
	Started bool
	Done    bool
	Results []Result
	Keys    []string // MODSIGN-KEY payloads
	Dmesg   []string // MODSIGN-DMESG payloads
	Errors  []string // MODSIGN-ERROR payloads
	Lines   []string // every serial line, for quoting in failure messages

	Security Security // lockdown, sig_enforce, Secure Boot and keyring lines (security.go)
}

// Parse reads a serial log. Lines may carry carriage returns and kernel
// console noise before the tag (a console line can be interleaved with a
// kernel message), so the tag is searched anywhere in the line.
func Parse(r io.Reader) (*Report, error) {
	rep := &Report{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		rep.Add(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("reading serial output: %w", err)
	}
	return rep, nil
}

// Add feeds one serial line into the report.
func (rep *Report) Add(line string) {
	line = strings.TrimRight(line, "\r\n")
	rep.Lines = append(rep.Lines, line)
	i := strings.Index(line, "MODSIGN-")
	if i < 0 {
		return
	}
	msg := line[i:]
	tag, payload, _ := strings.Cut(msg, " ")
	switch tag {
	case TagInit:
		rep.Started = true
	case TagDone:
		rep.Done = true
	case TagKey:
		rep.Keys = append(rep.Keys, payload)
	case TagDmesg:
		rep.Dmesg = append(rep.Dmesg, payload)
	case TagError:
		rep.Errors = append(rep.Errors, payload)
	case TagResult:
		res := Result{Fields: map[string]string{}, Line: msg}
		for _, f := range strings.Fields(payload) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			switch k {
			case "module":
				res.Module = v
			case "name":
				res.Name = v
			case "result":
				res.Result = v
			default:
				res.Fields[k] = v
			}
		}
		if res.Module != "" && res.Result != "" {
			rep.Results = append(rep.Results, res)
		}
	default:
		rep.addSecurity(tag, payload)
	}
}

// Lookup returns the results for a module, matched by its file name under
// /modules, with or without a ".ko" suffix.
func (rep *Report) Lookup(module string) []Result {
	var out []Result
	for _, r := range rep.Results {
		if r.Module == module || r.Module == module+".ko" || strings.TrimSuffix(r.Module, ".ko") == module {
			out = append(out, r)
		}
	}
	return out
}

// Expectations are what a test asks of a guest run.
type Expectations struct {
	Loaded   []string          // module files that must load
	Rejected map[string]string // module file -> errno name it must fail with
	Keys     []string          // substrings that some /proc/keys line must contain
}

// Check compares a report with expectations and returns one message per
// failed expectation; each message quotes the serial lines it is about.
func Check(rep *Report, exp Expectations) []string {
	var fails []string
	if !rep.Started {
		fails = append(fails, "the guest init never started (no "+TagInit+" line); kernel did not boot or could not run /init")
	}
	if !rep.Done {
		fails = append(fails, "the guest init did not finish (no "+TagDone+" line)")
	}
	for _, e := range rep.Errors {
		fails = append(fails, "guest init reported an error: "+e)
	}
	quote := func(rs []Result) string {
		var q []string
		for _, r := range rs {
			q = append(q, "    "+r.Line)
		}
		return strings.Join(q, "\n")
	}
	for _, m := range exp.Loaded {
		rs := rep.Lookup(m)
		switch {
		case len(rs) == 0:
			fails = append(fails, fmt.Sprintf("module %s: expected loaded, but the guest reported no result for it", m))
		case len(rs) > 1:
			fails = append(fails, fmt.Sprintf("module %s: ambiguous, %d results:\n%s", m, len(rs), quote(rs)))
		case rs[0].Result != ResultLoaded:
			fails = append(fails, fmt.Sprintf("module %s: expected loaded, got %s:\n%s%s", m, rs[0].Result, quote(rs), dmesgFor(rep, rs[0])))
		}
	}
	rejected := make([]string, 0, len(exp.Rejected))
	for m := range exp.Rejected {
		rejected = append(rejected, m)
	}
	sort.Strings(rejected)
	for _, m := range rejected {
		want := exp.Rejected[m]
		rs := rep.Lookup(m)
		switch {
		case len(rs) == 0:
			fails = append(fails, fmt.Sprintf("module %s: expected rejected with %s, but the guest reported no result for it", m, want))
		case len(rs) > 1:
			fails = append(fails, fmt.Sprintf("module %s: ambiguous, %d results:\n%s", m, len(rs), quote(rs)))
		case rs[0].Result != want:
			fails = append(fails, fmt.Sprintf("module %s: expected rejected with %s, got %s:\n%s%s", m, want, rs[0].Result, quote(rs), dmesgFor(rep, rs[0])))
		}
	}
	for _, k := range exp.Keys {
		found := false
		for _, l := range rep.Keys {
			if strings.Contains(l, k) {
				found = true
				break
			}
		}
		if !found {
			msg := fmt.Sprintf("no /proc/keys line contains %q; the guest listed:", k)
			if len(rep.Keys) == 0 {
				msg += " nothing"
			}
			for _, l := range rep.Keys {
				msg += "\n    " + TagKey + " " + l
			}
			fails = append(fails, msg)
		}
	}
	return fails
}

// dmesgFor quotes the dmesg lines the guest printed right after a result.
func dmesgFor(rep *Report, r Result) string {
	var out []string
	for _, d := range r.dmesgLines(rep) {
		out = append(out, "    "+TagDmesg+" "+d)
	}
	if len(out) == 0 {
		return ""
	}
	return "\n  kernel log:\n" + strings.Join(out, "\n")
}

func (r Result) dmesgLines(rep *Report) []string {
	// The init prints the dmesg lines that a load produced right after its
	// result line, tagged with the module file.
	var out []string
	for _, d := range rep.Dmesg {
		if strings.HasPrefix(d, "module="+r.Module+" ") {
			out = append(out, d)
		}
	}
	return out
}
