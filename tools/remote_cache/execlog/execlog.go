// Package execlog reads Bazel's JSON execution log (--execution_log_json_file)
// and counts where each spawn's result came from: executed locally, or taken
// from the remote cache or the disk cache.
//
// Field names are those of Bazel 7.7's src/main/protobuf/spawn.proto
// (message SpawnExec) in proto3 JSON form: "mnemonic", "runner", "cacheHit",
// "commandArgs", "listedOutputs", "targetLabel". Bazel writes the messages one
// after another (newline-delimited in 7.x, pretty-printed in older releases);
// both are read. The runner of a cache hit is "remote cache hit" or
// "disk cache hit"; any other runner ("processwrapper-sandbox", "local",
// "linux-sandbox", "worker", "remote") means the spawn ran: on a remote executor
// for "remote", on this machine for the others.
package execlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Runners of cache hits, as Bazel writes them, and of spawns run by a remote executor.
const (
	RemoteCacheHit = "remote cache hit"
	DiskCacheHit   = "disk cache hit"
	RemoteExecutor = "remote"
)

// Digest is a REAPI digest as the log writes it (the size as a decimal string).
type Digest struct {
	Hash      string `json:"hash"`
	SizeBytes string `json:"sizeBytes"`
}

// File is one input or output of a spawn.
type File struct {
	Path   string `json:"path"`
	Digest Digest `json:"digest"`
}

// Spawn is the part of a SpawnExec this package uses.
type Spawn struct {
	CommandArgs     []string `json:"commandArgs"`
	ListedOutputs   []string `json:"listedOutputs"`
	Mnemonic        string   `json:"mnemonic"`
	Runner          string   `json:"runner"`
	CacheHit        bool     `json:"cacheHit"`
	Remotable       bool     `json:"remotable"`
	Cacheable       bool     `json:"cacheable"`
	RemoteCacheable bool     `json:"remoteCacheable"`
	TargetLabel     string   `json:"targetLabel"`
	Status          string   `json:"status"`
	Inputs          []File   `json:"inputs"`
	// Digest is the action's digest (the Action message in the CAS).
	Digest Digest `json:"digest"`
}

// RanRemotely reports whether the spawn was executed (not a cache hit) by a remote executor.
func (s Spawn) RanRemotely() bool { return s.Where() == "executed" && s.Runner == RemoteExecutor }

// Where classifies a spawn: "remote-hit", "disk-hit" or "executed".
func (s Spawn) Where() string {
	switch {
	case s.Runner == RemoteCacheHit:
		return "remote-hit"
	case s.Runner == DiskCacheHit:
		return "disk-hit"
	case s.CacheHit:
		// A cache hit from a runner name this package does not know.
		return "other-hit"
	}
	return "executed"
}

// Read parses an execution log.
func Read(r io.Reader) ([]Spawn, error) {
	dec := json.NewDecoder(r)
	var out []Spawn
	for {
		var s Spawn
		err := dec.Decode(&s)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("execution log entry %d: %w", len(out)+1, err)
		}
		if s.Mnemonic == "" && s.Runner == "" && len(s.CommandArgs) == 0 {
			return nil, fmt.Errorf("execution log entry %d has no mnemonic, runner or commandArgs: not a SpawnExec (is this --execution_log_json_file output?)", len(out)+1)
		}
		out = append(out, s)
	}
	return out, nil
}

// ReadFile parses an execution log file.
func ReadFile(path string) ([]Spawn, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening execution log: %w", err)
	}
	defer f.Close()
	spawns, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return spawns, nil
}

// Counts is how many spawns of one mnemonic (or of all) ended where.
type Counts struct {
	Total     int `json:"total"`
	Executed  int `json:"executed"`
	RemoteHit int `json:"remote_cache_hits"`
	DiskHit   int `json:"disk_cache_hits"`
	OtherHit  int `json:"other_cache_hits"`
	// Of the executed spawns: how many a remote executor ran, and how many ran here.
	RemoteExec int `json:"remote_executed"`
	LocalExec  int `json:"local_executed"`
}

func (c *Counts) add(s Spawn) {
	c.Total++
	switch s.Where() {
	case "remote-hit":
		c.RemoteHit++
	case "disk-hit":
		c.DiskHit++
	case "other-hit":
		c.OtherHit++
	default:
		c.Executed++
		if s.RanRemotely() {
			c.RemoteExec++
		} else {
			c.LocalExec++
		}
	}
}

// Summary counts spawns per mnemonic and overall.
type Summary struct {
	All        Counts            `json:"all"`
	ByMnemonic map[string]Counts `json:"by_mnemonic"`
	// Runners counts the executed spawns per runner name.
	Runners map[string]int `json:"runners_of_executed"`
}

// Summarize counts spawns.
func Summarize(spawns []Spawn) Summary {
	s := Summary{ByMnemonic: map[string]Counts{}, Runners: map[string]int{}}
	for _, sp := range spawns {
		s.All.add(sp)
		c := s.ByMnemonic[sp.Mnemonic]
		c.add(sp)
		s.ByMnemonic[sp.Mnemonic] = c
		if sp.Where() == "executed" {
			s.Runners[sp.Runner]++
		}
	}
	return s
}

// Mnemonics returns the mnemonics in the summary, sorted.
func (s Summary) Mnemonics() []string {
	var m []string
	for k := range s.ByMnemonic {
		m = append(m, k)
	}
	sort.Strings(m)
	return m
}

// FlagValues returns, for the spawns of the given mnemonics, every value of the
// command-line flag (given as "--key": both "--key V" and "--key=V" count),
// sorted and without duplicates. Paths are relative to the execution root.
func FlagValues(spawns []Spawn, flag string, mnemonics ...string) []string {
	want := map[string]bool{}
	for _, m := range mnemonics {
		want[m] = true
	}
	seen := map[string]bool{}
	for _, s := range spawns {
		if !want[s.Mnemonic] {
			continue
		}
		for i, a := range s.CommandArgs {
			switch {
			case a == flag && i+1 < len(s.CommandArgs):
				seen[s.CommandArgs[i+1]] = true
			case strings.HasPrefix(a, flag+"="):
				seen[strings.TrimPrefix(a, flag+"=")] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// RemoteInputs returns what the remote executor was sent: for every spawn it ran, the
// action's digest and the digest of every input file, without duplicates and sorted by
// hash. Paths are those of the first spawn that had the digest.
func RemoteInputs(spawns []Spawn) []File {
	seen := map[string]File{}
	for _, s := range spawns {
		if !s.RanRemotely() {
			continue
		}
		if s.Digest.Hash != "" {
			if _, ok := seen[s.Digest.Hash]; !ok {
				seen[s.Digest.Hash] = File{Path: "(action of " + s.TargetLabel + ", " + s.Mnemonic + ")", Digest: s.Digest}
			}
		}
		for _, f := range s.Inputs {
			if f.Digest.Hash == "" {
				continue // a directory or a symlink: no content of its own
			}
			if _, ok := seen[f.Digest.Hash]; !ok {
				seen[f.Digest.Hash] = f
			}
		}
	}
	out := make([]File, 0, len(seen))
	for _, f := range seen {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Digest.Hash < out[j].Digest.Hash })
	return out
}
