package kernel

import (
	"errors"
	"fmt"
)

// berToDER re-encodes the first BER element of b the way Linux's ASN.1
// decoder (lib/asn1_decoder.c: asn1_ber_decoder) reads it, so that a strict
// DER parser can take what the kernel takes:
//   - definite lengths in short form or long form with up to 2 length bytes
//     (asn1_ber_decoder: "if (unlikely(n > 2)) goto length_too_long", so a
//     PKCS#7 message is at most 64 KiB), minimal or not, are rewritten
//     minimally; 3 or more length bytes are "Unsupported length" (EBADMSG);
//   - indefinite lengths (0x80) on constructed values are resolved up to
//     their end-of-contents octets;
//   - an indefinite length on a primitive value, a long-form tag (tag number
//     31), or a value running past its container is an error, as in the kernel.
//
// Bytes after the first element are ignored, as the kernel's decoder stops
// at ASN1_OP_COMPLETE without looking at the rest of the buffer.
func berToDER(b []byte) ([]byte, error) {
	out, _, err := berElement(b, 0)
	return out, err
}

// maxBERDepth bounds the recursion. The kernel's decoder has no single
// limit: its grammar descends a few levels (NR_CONS_STACK is 10 per decoder
// run) and it skips ANY values such as embedded certificates whatever their
// depth, so this only guards against hostile input.
const maxBERDepth = 64

func berElement(b []byte, depth int) (der []byte, n int, err error) {
	if depth > maxBERDepth {
		return nil, 0, errors.New("nesting deeper than 64 levels")
	}
	if len(b) < 2 {
		return nil, 0, errors.New("data overrun: element header runs past the end")
	}
	tag := b[0]
	if tag&0x1f == 0x1f {
		return nil, 0, fmt.Errorf("long-form tag 0x%02x is not supported", tag)
	}
	constructed := tag&0x20 != 0
	l := int(b[1])
	pos := 2
	switch {
	case l == 0x80:
		if !constructed {
			return nil, 0, fmt.Errorf("indefinite length on primitive tag 0x%02x", tag)
		}
		var content []byte
		for {
			if len(b)-pos < 2 {
				return nil, 0, errors.New("missing end-of-contents in an indefinite-length value")
			}
			if b[pos] == 0 && b[pos+1] == 0 {
				pos += 2
				break
			}
			child, cn, err := berElement(b[pos:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, child...)
			pos += cn
		}
		return append(derHeader(tag, len(content)), content...), pos, nil
	case l > 0x80:
		nb := l - 0x80
		if nb > 2 {
			return nil, 0, fmt.Errorf("a long-form length of %d bytes: the kernel's ASN.1 decoder takes at most 2 (lib/asn1_decoder.c asn1_ber_decoder, \"Unsupported length\")", nb)
		}
		if len(b)-pos < nb {
			return nil, 0, errors.New("data overrun in a long-form length")
		}
		var v uint64
		for i := 0; i < nb; i++ {
			v = v<<8 | uint64(b[pos+i])
		}
		pos += nb
		if v > uint64(len(b)-pos) {
			return nil, 0, fmt.Errorf("length %d runs past the end of its container", v)
		}
		l = int(v)
	default:
		if l > len(b)-pos {
			return nil, 0, fmt.Errorf("length %d runs past the end of its container", l)
		}
	}
	body := b[pos : pos+l]
	if !constructed {
		return append(derHeader(tag, l), body...), pos + l, nil
	}
	var content []byte
	for off := 0; off < len(body); {
		child, cn, err := berElement(body[off:], depth+1)
		if err != nil {
			return nil, 0, err
		}
		content = append(content, child...)
		off += cn
	}
	return append(derHeader(tag, len(content)), content...), pos + l, nil
}

func derHeader(tag byte, n int) []byte {
	if n < 0x80 {
		return []byte{tag, byte(n)}
	}
	var lb []byte
	for v := n; v > 0; v >>= 8 {
		lb = append([]byte{byte(v)}, lb...)
	}
	return append([]byte{tag, 0x80 | byte(len(lb))}, lb...)
}
