// Command execlog summarizes Bazel's JSON execution log and checks cache use.
//
//	execlog summary [--json OUT] [--max-executed MNEMONIC=N]... [--min-total MNEMONIC=N]...
//	                [--min-remote-hits MNEMONIC=N]... [--all-remote MNEMONIC]...
//	                [--max-local MNEMONIC=N]... [--max-remote-exec MNEMONIC=N]...
//	                [--all-remote-exec MNEMONIC]... LOG
//	    prints, per mnemonic and overall, how many spawns ran (on a remote executor or
//	    here), and how many were remote- or disk-cache hits; exits 1 if a limit is not
//	    met. MNEMONIC "*" means all spawns.
//	execlog remote-inputs LOG
//	    prints "HASH SIZE PATH" for every blob a remote executor was sent: the action
//	    and every input file of each spawn it ran (what tools/remote_exec/check.sh
//	    requires to be in the engine's scanned CAS).
//	execlog flag-values --flag --key --mnemonic M [--mnemonic M]... LOG
//	    prints each value of a flag in the command lines of those spawns, one
//	    per line (for example the key files that sign actions read).
//	execlog count --mnemonic M [--where executed|remote-exec|local|remote-hit|disk-hit|other-hit] [--labels] LOG
//	    prints how many spawns of M are in the log, or only those that ran
//	    (executed: on a remote executor, remote-exec, or here, local) or came
//	    from a cache; with --labels, their target labels instead, one per line.
//
// Exit status: 0 ok, 1 a limit not met, 2 bad usage or unreadable log.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rules-modsign/rules_modsign/tools/remote_cache/execlog"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type limits map[string]int

func (l limits) String() string { return fmt.Sprint(map[string]int(l)) }
func (l limits) Set(v string) error {
	m, n, ok := strings.Cut(v, "=")
	if !ok || m == "" {
		return fmt.Errorf("want MNEMONIC=N, got %q", v)
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return fmt.Errorf("want MNEMONIC=N with N >= 0, got %q", v)
	}
	l[m] = i
	return nil
}

type strs []string

func (s *strs) String() string     { return strings.Join(*s, ",") }
func (s *strs) Set(v string) error { *s = append(*s, v); return nil }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: execlog summary|flag-values [flags] LOG")
		return 2
	}
	switch args[0] {
	case "summary":
		return summary(args[1:], stdout, stderr)
	case "flag-values":
		return flagValues(args[1:], stdout, stderr)
	case "count":
		return count(args[1:], stdout, stderr)
	case "remote-inputs":
		return remoteInputs(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "execlog: unknown command %q (want summary, flag-values, count or remote-inputs)\n", args[0])
	return 2
}

func oneLog(fs *flag.FlagSet, stderr io.Writer) ([]execlog.Spawn, bool) {
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "execlog: want exactly one execution log file")
		return nil, false
	}
	spawns, err := execlog.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "execlog: %v\n", err)
		return nil, false
	}
	return spawns, true
}

func summary(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("execlog summary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	maxExec, minTotal, minRemote := limits{}, limits{}, limits{}
	fs.Var(maxExec, "max-executed", "MNEMONIC=N: at most N spawns of MNEMONIC may run (not cache hits)")
	fs.Var(minTotal, "min-total", "MNEMONIC=N: at least N spawns of MNEMONIC must be in the log")
	fs.Var(minRemote, "min-remote-hits", "MNEMONIC=N: at least N spawns of MNEMONIC must be remote cache hits")
	var allRemote strs
	fs.Var(&allRemote, "all-remote", "MNEMONIC: every spawn of MNEMONIC must be a remote cache hit, and there must be at least one (repeatable)")
	maxLocal, maxRemoteExec := limits{}, limits{}
	fs.Var(maxLocal, "max-local", "MNEMONIC=N: at most N spawns of MNEMONIC may run on this machine")
	fs.Var(maxRemoteExec, "max-remote-exec", "MNEMONIC=N: at most N spawns of MNEMONIC may run on a remote executor")
	var allRemoteExec strs
	fs.Var(&allRemoteExec, "all-remote-exec", "MNEMONIC: every spawn of MNEMONIC must have run on a remote executor, and there must be at least one (repeatable)")
	jsonOut := fs.String("json", "", "also write the summary as JSON here")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	spawns, ok := oneLog(fs, stderr)
	if !ok {
		return 2
	}
	sum := execlog.Summarize(spawns)
	fmt.Fprintf(stdout, "execlog: %s\n", fs.Arg(0))
	fmt.Fprintf(stdout, "execlog: %-22s %7s %9s %11s %9s %11s %6s\n", "mnemonic", "spawns", "executed", "remote-hit", "disk-hit", "remote-exec", "local")
	row := func(m string, c execlog.Counts) {
		fmt.Fprintf(stdout, "execlog: %-22s %7d %9d %11d %9d %11d %6d\n", m, c.Total, c.Executed, c.RemoteHit, c.DiskHit, c.RemoteExec, c.LocalExec)
	}
	for _, m := range sum.Mnemonics() {
		row(m, sum.ByMnemonic[m])
	}
	row("ALL", sum.All)
	if len(sum.Runners) > 0 {
		var rs []string
		for r, n := range sum.Runners {
			rs = append(rs, fmt.Sprintf("%s=%d", r, n))
		}
		fmt.Fprintf(stdout, "execlog: executed spawns by runner: %s\n", strings.Join(rs, " "))
	}
	if *jsonOut != "" {
		data, err := json.MarshalIndent(sum, "", "  ")
		if err == nil {
			err = writeAtomic(*jsonOut, append(data, '\n'))
		}
		if err != nil {
			fmt.Fprintf(stderr, "execlog: writing %s: %v\n", *jsonOut, err)
			return 2
		}
	}
	get := func(m string) execlog.Counts {
		if m == "*" {
			return sum.All
		}
		return sum.ByMnemonic[m]
	}
	status := 0
	for m, n := range maxExec {
		if c := get(m); c.Executed > n {
			fmt.Fprintf(stderr, "execlog: FAIL: %d %s spawns executed, at most %d allowed\n", c.Executed, m, n)
			for _, s := range spawns {
				if (m == "*" || s.Mnemonic == m) && s.Where() == "executed" {
					fmt.Fprintf(stderr, "execlog:   executed: %s %s (runner %q)\n", s.Mnemonic, s.TargetLabel, s.Runner)
				}
			}
			status = 1
		}
	}
	for m, n := range minTotal {
		if c := get(m); c.Total < n {
			fmt.Fprintf(stderr, "execlog: FAIL: %d %s spawns in the log, at least %d required\n", c.Total, m, n)
			status = 1
		}
	}
	for m, n := range minRemote {
		if c := get(m); c.RemoteHit < n {
			fmt.Fprintf(stderr, "execlog: FAIL: %d %s spawns were remote cache hits, at least %d required\n", c.RemoteHit, m, n)
			status = 1
		}
	}
	listed := func(m, what string, pick func(execlog.Spawn) bool) {
		for _, s := range spawns {
			if (m == "*" || s.Mnemonic == m) && pick(s) {
				fmt.Fprintf(stderr, "execlog:   %s: %s %s (runner %q)\n", what, s.Mnemonic, s.TargetLabel, s.Runner)
			}
		}
	}
	local := func(s execlog.Spawn) bool { return s.Where() == "executed" && !s.RanRemotely() }
	for m, n := range maxLocal {
		if c := get(m); c.LocalExec > n {
			fmt.Fprintf(stderr, "execlog: FAIL: %d %s spawns ran on this machine, at most %d allowed\n", c.LocalExec, m, n)
			listed(m, "ran here", local)
			status = 1
		}
	}
	for m, n := range maxRemoteExec {
		if c := get(m); c.RemoteExec > n {
			fmt.Fprintf(stderr, "execlog: FAIL: %d %s spawns ran on a remote executor, at most %d allowed\n", c.RemoteExec, m, n)
			listed(m, "ran remotely", execlog.Spawn.RanRemotely)
			status = 1
		}
	}
	for _, m := range allRemoteExec {
		c := get(m)
		if c.Total == 0 || c.RemoteExec != c.Total {
			fmt.Fprintf(stderr, "execlog: FAIL: %d of %d %s spawns ran on the remote executor, all (and at least one) required\n", c.RemoteExec, c.Total, m)
			listed(m, "not run remotely", func(s execlog.Spawn) bool { return !s.RanRemotely() })
			status = 1
		}
	}
	for _, m := range allRemote {
		c := get(m)
		if c.Total == 0 || c.RemoteHit != c.Total {
			fmt.Fprintf(stderr, "execlog: FAIL: %d of %d %s spawns were remote cache hits, all (and at least one) required\n", c.RemoteHit, c.Total, m)
			for _, s := range spawns {
				if (m == "*" || s.Mnemonic == m) && s.Where() != "remote-hit" {
					fmt.Fprintf(stderr, "execlog:   not from the remote cache: %s %s (runner %q)\n", s.Mnemonic, s.TargetLabel, s.Runner)
				}
			}
			status = 1
		}
	}
	return status
}

func flagValues(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("execlog flag-values", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("flag", "", "the flag, e.g. --key")
	var mnemonics strs
	fs.Var(&mnemonics, "mnemonic", "spawn mnemonic (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *name == "" || len(mnemonics) == 0 {
		fmt.Fprintln(stderr, "execlog flag-values: --flag and at least one --mnemonic are required")
		return 2
	}
	spawns, ok := oneLog(fs, stderr)
	if !ok {
		return 2
	}
	for _, v := range execlog.FlagValues(spawns, *name, mnemonics...) {
		fmt.Fprintln(stdout, v)
	}
	return 0
}

func count(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("execlog count", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mnemonic := fs.String("mnemonic", "", "spawn mnemonic, or * for all")
	where := fs.String("where", "", "only spawns that were: executed (remote-exec or local), remote-hit, disk-hit or other-hit")
	labels := fs.Bool("labels", false, "print the target label of each spawn instead of the count")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *mnemonic == "" {
		fmt.Fprintln(stderr, "execlog count: --mnemonic is required")
		return 2
	}
	switch *where {
	case "", "executed", "remote-exec", "local", "remote-hit", "disk-hit", "other-hit":
	default:
		fmt.Fprintf(stderr, "execlog count: --where %q: want executed, remote-exec, local, remote-hit, disk-hit or other-hit\n", *where)
		return 2
	}
	spawns, ok := oneLog(fs, stderr)
	if !ok {
		return 2
	}
	n := 0
	for _, s := range spawns {
		w := s.Where()
		if w == "executed" && (*where == "remote-exec" || *where == "local") {
			w = "local"
			if s.RanRemotely() {
				w = "remote-exec"
			}
		}
		if (*mnemonic == "*" || s.Mnemonic == *mnemonic) && (*where == "" || w == *where) {
			n++
			if *labels {
				fmt.Fprintln(stdout, s.TargetLabel)
			}
		}
	}
	if !*labels {
		fmt.Fprintln(stdout, n)
	}
	return 0
}

func remoteInputs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("execlog remote-inputs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	spawns, ok := oneLog(fs, stderr)
	if !ok {
		return 2
	}
	for _, f := range execlog.RemoteInputs(spawns) {
		size := f.Digest.SizeBytes
		if size == "" {
			size = "0" // proto3 JSON leaves a zero size out
		}
		fmt.Fprintf(stdout, "%s %s %s\n", f.Digest.Hash, size, f.Path)
	}
	return 0
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
