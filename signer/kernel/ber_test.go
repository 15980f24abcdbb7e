package kernel

import (
	"bytes"
	"strings"
	"testing"
)

// Linux's asn1_ber_decoder takes long-form lengths of at most 2 bytes; a
// 4-byte one is "Unsupported length" (EBADMSG), as the verdict corpus'
// ber-long-lengths module showed on 6.1 and 7.2.
func TestBERLongFormLengths(t *testing.T) {
	inner := []byte{0x04, 0x01, 0xaa} // OCTET STRING aa
	for _, c := range []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"short", append([]byte{0x30, 0x03}, inner...), true},
		{"1 length byte", append([]byte{0x30, 0x81, 0x03}, inner...), true},
		{"2 length bytes", append([]byte{0x30, 0x82, 0x00, 0x03}, inner...), true},
		{"3 length bytes", append([]byte{0x30, 0x83, 0x00, 0x00, 0x03}, inner...), false},
		{"4 length bytes", append([]byte{0x30, 0x84, 0x00, 0x00, 0x00, 0x03}, inner...), false},
		{"indefinite", append(append([]byte{0x30, 0x80}, inner...), 0, 0), true},
	} {
		out, err := berToDER(c.in)
		if c.ok {
			if err != nil || !bytes.Equal(out, append([]byte{0x30, 0x03}, inner...)) {
				t.Errorf("%s: berToDER = %x, %v; want 3003%x", c.name, out, err, inner)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "at most 2") {
			t.Errorf("%s: berToDER = %x, %v; want the at-most-2-bytes error", c.name, out, err)
		}
	}
}
