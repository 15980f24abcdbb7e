package modsig

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"testing"
)

func readModule(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/modules/nhc_hop.ko")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTrailerLayout(t *testing.T) {
	// sign-file writes 00 00 02 00 00 00 00 00 then sig_len as big-endian u32.
	got := PKCS7Trailer(0x1234).Marshal()
	want := []byte{0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34}
	if !bytes.Equal(got, want) {
		t.Fatalf("trailer = % x, want % x", got, want)
	}
	tr, err := ParseTrailer(got)
	if err != nil || tr != PKCS7Trailer(0x1234) {
		t.Fatalf("ParseTrailer round trip = %+v, %v", tr, err)
	}
	if _, err := ParseTrailer(got[:11]); err == nil {
		t.Fatal("ParseTrailer accepted 11 bytes")
	}
}

func TestAppendSplitRoundTrip(t *testing.T) {
	mod := readModule(t)
	if err := CheckELF(mod); err != nil {
		t.Fatalf("CheckELF(real module) = %v", err)
	}
	if HasMarker(mod) {
		t.Fatal("test module should be unsigned")
	}
	if _, err := Split(mod); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("Split(unsigned) = %v, want ErrUnsigned", err)
	}
	sig := bytes.Repeat([]byte{0xAB}, 707)
	signed := Append(mod, sig)
	if len(signed) != len(mod)+707+TrailerSize+len(Magic) {
		t.Fatalf("signed length %d", len(signed))
	}
	s, err := Split(signed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Module, mod) || !bytes.Equal(s.Signature, sig) || s.Trailer.SigLen != 707 || s.Trailer.IDType != IDTypePKCS7 {
		t.Fatalf("Split mismatch: module %d bytes, sig %d bytes, trailer %+v", len(s.Module), len(s.Signature), s.Trailer)
	}
}

func TestSplitRejects(t *testing.T) {
	mod := readModule(t)
	signed := Append(mod, bytes.Repeat([]byte{1}, 100))
	trailerAt := len(signed) - len(Magic) - TrailerSize
	mutate := func(f func(b []byte)) []byte {
		b := append([]byte{}, signed...)
		f(b)
		return b
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"sig_len larger than file", mutate(func(b []byte) { binary.BigEndian.PutUint32(b[trailerAt+8:], uint32(len(b))) }), ErrBadTrailer},
		{"sig_len equal to rest", mutate(func(b []byte) { binary.BigEndian.PutUint32(b[trailerAt+8:], uint32(trailerAt)) }), ErrBadTrailer},
		{"id_type PGP", mutate(func(b []byte) { b[trailerAt+2] = IDTypePGP }), ErrNotPKCS7},
		{"nonzero algo", mutate(func(b []byte) { b[trailerAt] = 1 }), ErrBadTrailer},
		{"nonzero hash", mutate(func(b []byte) { b[trailerAt+1] = 4 }), ErrBadTrailer},
		{"nonzero signer_len", mutate(func(b []byte) { b[trailerAt+3] = 4 }), ErrBadTrailer},
		{"nonzero key_id_len", mutate(func(b []byte) { b[trailerAt+4] = 4 }), ErrBadTrailer},
		{"nonzero pad", mutate(func(b []byte) { b[trailerAt+7] = 1 }), ErrBadTrailer},
		{"only marker", []byte(Magic), ErrBadTrailer},
		{"marker and short trailer", append(make([]byte, 12), Magic...), ErrBadTrailer},
		{"no marker", mod, ErrUnsigned},
	}
	for _, c := range cases {
		if _, err := Split(c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: Split = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestCheckELF(t *testing.T) {
	mod := readModule(t)
	cases := map[string][]byte{
		"empty":              {},
		"text":               []byte("this is not a module\n"),
		"short ELF":          mod[:10],
		"truncated header":   mod[:40],
		"truncated sections": mod[:len(mod)-100],
		"ET_EXEC":            func() []byte { b := append([]byte{}, mod...); b[16] = 2; return b }(),
		"bad class":          func() []byte { b := append([]byte{}, mod...); b[4] = 9; return b }(),
		"bad data encoding":  func() []byte { b := append([]byte{}, mod...); b[5] = 0; return b }(),
		"no section headers": func() []byte { b := append([]byte{}, mod...); b[60], b[61] = 0, 0; return b }(),
	}
	for name, data := range cases {
		if err := CheckELF(data); err == nil {
			t.Errorf("%s: CheckELF accepted it", name)
		}
	}
	if err := CheckELF(mod); err != nil {
		t.Errorf("real module rejected: %v", err)
	}
}

// FuzzSplit checks the trailer parser never panics and that what it accepts
// is self-consistent: the parts reassemble into the input.
func FuzzSplit(f *testing.F) {
	mod := readModule(f)
	f.Add(Append(mod[:64], []byte("sig")))
	f.Add([]byte(Magic))
	f.Add(append(PKCS7Trailer(3).Marshal(), Magic...))
	f.Add(mod[:200])
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = CheckELF(data)
		s, err := Split(data)
		if err != nil {
			return
		}
		re := Append(s.Module, s.Signature)
		if !bytes.Equal(re, data) {
			t.Fatalf("Split/Append do not round-trip")
		}
	})
}
