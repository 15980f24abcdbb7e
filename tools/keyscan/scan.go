package keyscan

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Blob kinds, from bazel-remote's disk layout (cache/disk/disk.go in v2.6.1):
//
//	cas.v2/ab/<sha256>-<random>.v1       CAS blob, stored as is ("uncompressed" storage mode)
//	cas.v2/ab/<sha256>-<size>-<random>   CAS blob in casblob format: a zstd skippable-frame
//	                                     header, then zstd-compressed or plain chunks
//	ac.v2/ab/<sha256>-<random>           ActionResult protobuf, stored as is
//	raw.v2/ab/<sha256>-<random>          other raw blobs (HTTP API), stored as is
//
// and from Bazel's disk-cache layout (remote/disk/DiskCacheClient.java in Bazel 7.7.1),
// which Bazel's remote worker also uses for its --cas_path (tools/remote_exec), at any depth:
//
//	.../cas/ab/<sha256>                  CAS blob, stored as is
//	.../ac/ab/<sha256>                   ActionResult protobuf, stored as is
//
// Anything else under the directory is scanned as "other".
const (
	KindCAS   = "cas"
	KindAC    = "ac"
	KindRaw   = "raw"
	KindOther = "other"
	// KindFile is a file given to ScanPaths.
	KindFile = "file"
)

// chunkSize bounds memory use; blobs larger than this are scanned in pieces
// that overlap by the longest needle minus one byte.
const chunkSize = 8 << 20

// casblob header: skippable-frame magic, frame size, uncompressed size (int64),
// compression type (uint8), chunk size (uint32). Little-endian.
const (
	casblobMagic         = 0x184D2A50
	casblobCompressionAt = 4 + 4 + 8
	casblobIdentity      = 0
)

// Match is one occurrence of a key encoding in a blob.
type Match struct {
	Key      string `json:"key"`
	Encoding string `json:"encoding"`
	Blob     string `json:"blob"`
	Kind     string `json:"kind"`
	Offset   int64  `json:"offset"`
}

// KeyResult is the outcome for one key.
type KeyResult struct {
	Name      string   `json:"name"`
	File      string   `json:"file"`
	Algorithm string   `json:"algorithm"`
	Encodings []string `json:"encodings_searched"`
	// Needles counts the byte strings searched for (PEM lines and fragments
	// are many needles of one encoding).
	Needles int     `json:"needles"`
	Matches []Match `json:"matches"`
}

// Report is the outcome of a scan.
type Report struct {
	Dir   string         `json:"dir"`
	Blobs int            `json:"blobs_scanned"`
	Bytes int64          `json:"bytes_scanned"`
	Kinds map[string]int `json:"blobs_by_kind"`
	// DigestsVerified counts plain CAS blobs whose SHA-256 matched their name:
	// evidence that the scanner read the exact bytes Bazel uploaded.
	DigestsVerified int `json:"cas_digests_verified"`
	// Compressed lists CAS blobs stored zstd-compressed. Their content cannot
	// be searched by this package, so a scan with any is inconclusive.
	Compressed []string `json:"compressed_blobs"`
	// DigestMismatches lists plain CAS blobs whose content does not match
	// their name; a scan with any is inconclusive.
	DigestMismatches []string    `json:"digest_mismatches"`
	Keys             []KeyResult `json:"keys"`
	// Unknown lists private keys found without a key to compare with
	// (ScanPaths with anyKey).
	Unknown []Finding `json:"unknown_keys"`
}

// TotalMatches is the number of matches over all keys, plus the private keys
// found without a key to compare with.
func (r *Report) TotalMatches() int {
	n := len(r.Unknown)
	for _, k := range r.Keys {
		n += len(k.Matches)
	}
	return n
}

// Inconclusive reports whether part of the storage could not be scanned.
func (r *Report) Inconclusive() bool {
	return len(r.Compressed) > 0 || len(r.DigestMismatches) > 0
}

// ScanStorage searches every regular file under dir, laid out as
// bazel-remote's storage, for every needle of every key. Plain CAS blobs are
// checked against the digest in their name.
func ScanStorage(dir string, keys []Key) (*Report, error) {
	if len(keys) == 0 {
		return nil, errors.New("no keys to scan for")
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("scan directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("scan directory %s: not a directory", dir)
	}
	s := newScanner(keys, false)
	rep := newReport(dir, keys)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walking %s: %w", path, err)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return fmt.Errorf("relative path of %s: %w", path, err)
		}
		rel = filepath.ToSlash(rel)
		kind, digest, casblob := classify(rel)
		return s.scanFile(rep, path, rel, kind, digest, casblob)
	})
	if err != nil {
		return nil, err
	}
	rep.sort()
	return rep, nil
}

// ScanPaths searches the given files and directories (symbolic links are
// followed, as in a Bazel runfiles tree) for every needle of every key and,
// with anyKey, for private keys of any kind (see FindAnyKeys). At least one
// key or anyKey is required: a scan for nothing could never fail.
func ScanPaths(paths []string, keys []Key, anyKey bool) (*Report, error) {
	if len(keys) == 0 && !anyKey {
		return nil, errors.New("no keys to scan for, and no scan for any key")
	}
	if len(paths) == 0 {
		return nil, errors.New("no paths to scan")
	}
	s := newScanner(keys, anyKey)
	rep := newReport(strings.Join(paths, " "), keys)
	seen := map[string]bool{}
	var walk func(path string, depth int) error
	walk = func(path string, depth int) error {
		if depth > 40 {
			return fmt.Errorf("scanning %s: too many levels of symbolic links or directories", path)
		}
		st, err := os.Stat(path) // follows symbolic links
		if err != nil {
			return fmt.Errorf("scanning %s: %w", path, err)
		}
		if st.IsDir() {
			real, err := filepath.EvalSymlinks(path)
			if err != nil {
				return fmt.Errorf("scanning %s: %w", path, err)
			}
			if seen[real] {
				return nil
			}
			seen[real] = true
			entries, err := os.ReadDir(path)
			if err != nil {
				return fmt.Errorf("scanning directory %s: %w", path, err)
			}
			for _, e := range entries {
				if err := walk(filepath.Join(path, e.Name()), depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if !st.Mode().IsRegular() {
			return nil
		}
		return s.scanFile(rep, path, path, KindFile, "", false)
	}
	for _, p := range paths {
		if err := walk(p, 0); err != nil {
			return nil, err
		}
	}
	rep.sort()
	return rep, nil
}

func newReport(dir string, keys []Key) *Report {
	rep := &Report{Dir: dir, Kinds: map[string]int{}, Compressed: []string{}, DigestMismatches: []string{}, Unknown: []Finding{}}
	for _, k := range keys {
		kr := KeyResult{Name: k.Name, File: k.File, Algorithm: k.Algorithm, Matches: []Match{}}
		for _, n := range k.Needles {
			if len(kr.Encodings) == 0 || kr.Encodings[len(kr.Encodings)-1] != n.Encoding {
				kr.Encodings = append(kr.Encodings, n.Encoding)
			}
			kr.Needles++
		}
		rep.Keys = append(rep.Keys, kr)
	}
	return rep
}

func (rep *Report) sort() {
	for i := range rep.Keys {
		m := rep.Keys[i].Matches
		sort.Slice(m, func(a, b int) bool {
			if m[a].Blob != m[b].Blob {
				return m[a].Blob < m[b].Blob
			}
			return m[a].Offset < m[b].Offset
		})
	}
	sort.SliceStable(rep.Unknown, func(i, j int) bool {
		if rep.Unknown[i].Path != rep.Unknown[j].Path {
			return rep.Unknown[i].Path < rep.Unknown[j].Path
		}
		return rep.Unknown[i].Offset < rep.Unknown[j].Offset
	})
}

type needleRef struct {
	key    int
	needle Needle
}

// scanner finds every needle in one pass over each buffer: needles are indexed
// by their first 8 bytes, behind a 64K-entry filter on their first 2 bytes.
type scanner struct {
	needles []needleRef
	byHead  map[uint64][]int
	first2  []bool
	maxLen  int
	anyKey  bool
	buf     []byte
}

func newScanner(keys []Key, anyKey bool) *scanner {
	s := &scanner{byHead: map[uint64][]int{}, first2: make([]bool, 1<<16), anyKey: anyKey}
	for i, k := range keys {
		for _, n := range k.Needles {
			h := binary.LittleEndian.Uint64(n.Bytes)
			s.byHead[h] = append(s.byHead[h], len(s.needles))
			s.first2[binary.LittleEndian.Uint16(n.Bytes)] = true
			s.needles = append(s.needles, needleRef{i, n})
			if len(n.Bytes) > s.maxLen {
				s.maxLen = len(n.Bytes)
			}
		}
	}
	if s.maxLen == 0 {
		s.maxLen = 1
	}
	s.buf = make([]byte, 0, chunkSize+s.maxLen)
	return s
}

// classify returns the blob kind and, for CAS blobs named by their digest,
// the expected SHA-256 (empty when the file is not stored as plain bytes).
func classify(rel string) (kind, digest string, casblob bool) {
	base := rel[strings.LastIndex(rel, "/")+1:]
	switch {
	case strings.HasPrefix(rel, "cas.v2/"):
		if strings.HasSuffix(base, ".v1") {
			h, _, _ := strings.Cut(base, "-")
			return KindCAS, h, false
		}
		return KindCAS, "", true
	case strings.HasPrefix(rel, "ac.v2/"):
		return KindAC, "", false
	case strings.HasPrefix(rel, "raw.v2/"):
		return KindRaw, "", false
	}
	if parts := strings.Split(rel, "/"); len(parts) >= 3 && isSHA256Hex(base) && parts[len(parts)-2] == base[:2] {
		switch parts[len(parts)-3] {
		case "cas":
			return KindCAS, base, false
		case "ac":
			return KindAC, "", false
		}
	}
	return KindOther, "", false
}

// isSHA256Hex reports whether s is a lower-case hex SHA-256 digest.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *scanner) scanFile(rep *Report, path, rel, kind, digest string, isCasblob bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	rep.Blobs++
	rep.Kinds[kind]++

	if isCasblob {
		var hdr [casblobCompressionAt + 1]byte
		_, err := io.ReadFull(f, hdr[:])
		if err == nil && binary.LittleEndian.Uint32(hdr[:4]) == casblobMagic && hdr[casblobCompressionAt] != casblobIdentity {
			rep.Compressed = append(rep.Compressed, rel)
		} else if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading blob header %s: %w", path, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("rewinding blob %s: %w", path, err)
		}
	}

	var h hash.Hash
	var r io.Reader = f
	if digest != "" {
		h = sha256.New()
		r = io.TeeReader(f, h)
	}
	var base int64 // absolute offset of s.buf[0]
	carry := 0
	buf := s.buf[:0]
	for {
		n, err := io.ReadFull(r, buf[carry:cap(buf)][:chunkSize])
		buf = buf[:carry+n]
		if n > 0 {
			s.search(rep, buf, carry, base, rel, kind)
			rep.Bytes += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading blob %s: %w", path, err)
		}
		keep := s.maxLen - 1
		if keep > len(buf) {
			keep = len(buf)
		}
		copy(buf, buf[len(buf)-keep:])
		base += int64(len(buf) - keep)
		carry = keep
		buf = buf[:keep]
	}
	if s.anyKey {
		// Unknown keys are recognised by structure, which needs whole files.
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		for _, fd := range FindAnyKeys(filepath.Base(path), data) {
			fd.Path = rel
			rep.Unknown = append(rep.Unknown, fd)
		}
	}
	if h != nil {
		if got := hex.EncodeToString(h.Sum(nil)); got == digest {
			rep.DigestsVerified++
		} else {
			rep.DigestMismatches = append(rep.DigestMismatches, rel)
		}
	}
	return nil
}

// search records the matches in buf that end past the first carry bytes
// (matches wholly inside the carried-over prefix were found last round).
func (s *scanner) search(rep *Report, buf []byte, carry int, base int64, rel, kind string) {
	if len(s.needles) == 0 {
		return
	}
	start := carry - s.maxLen + 1
	if start < 0 {
		start = 0
	}
	for at := start; at+8 <= len(buf); at++ {
		if !s.first2[binary.LittleEndian.Uint16(buf[at:])] {
			continue
		}
		refs, ok := s.byHead[binary.LittleEndian.Uint64(buf[at:])]
		if !ok {
			continue
		}
		for _, ri := range refs {
			nr := s.needles[ri]
			nb := nr.needle.Bytes
			if at+len(nb) <= carry || !bytes.HasPrefix(buf[at:], nb) {
				continue
			}
			rep.Keys[nr.key].Matches = append(rep.Keys[nr.key].Matches, Match{
				Key: rep.Keys[nr.key].Name, Encoding: nr.needle.Encoding,
				Blob: rel, Kind: kind, Offset: base + int64(at),
			})
		}
	}
}
