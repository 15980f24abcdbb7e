// Package pkcs11 signs with keys held in a PKCS#11 token (an HSM, a smart
// card, SoftHSM), named by RFC 7512 URIs as the kernel's sign-file takes them:
//
//	pkcs11:token=build;object=module-signing?module-path=/usr/lib/softhsm/libsofthsm2.so
//
// The private key never leaves the token: modsign only asks it to sign
// digests. The URI parser is pure Go; the token access needs cgo (it loads
// the token's PKCS#11 library with dlopen through github.com/miekg/pkcs11).
package pkcs11

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Prefix starts every PKCS#11 URI.
const Prefix = "pkcs11:"

// IsURI reports whether s names a key in a token rather than a file.
func IsURI(s string) bool { return strings.HasPrefix(s, Prefix) }

// URI is a parsed RFC 7512 PKCS#11 URI. Attribute values are percent-decoded.
type URI struct {
	// Path attributes (RFC 7512 section 2.3): token, manufacturer, serial,
	// model, object, type, id, slot-id, slot-description, slot-manufacturer,
	// library-manufacturer, library-description, library-version.
	Path map[string]string
	// Query attributes: pin-value, pin-source, module-name, module-path.
	Query map[string]string
}

var pathAttrs = map[string]bool{
	"token": true, "manufacturer": true, "serial": true, "model": true,
	"object": true, "type": true, "id": true,
	"slot-id": true, "slot-description": true, "slot-manufacturer": true,
	"library-manufacturer": true, "library-description": true, "library-version": true,
}

var queryAttrs = map[string]bool{
	"pin-value": true, "pin-source": true, "module-name": true, "module-path": true,
}

// ParseURI parses a pkcs11: URI. Unknown attributes starting with "x-" are
// kept (RFC 7512 vendor attributes); other unknown ones are an error, as is a
// repeated path attribute.
func ParseURI(s string) (*URI, error) {
	if !IsURI(s) {
		return nil, fmt.Errorf("not a PKCS#11 URI (it must start with %q)", Prefix)
	}
	rest := strings.TrimPrefix(s, Prefix)
	path, query, _ := strings.Cut(rest, "?")
	u := &URI{Path: map[string]string{}, Query: map[string]string{}}
	for _, part := range splitNonEmpty(path, ";") {
		k, v, err := attr(part)
		if err != nil {
			return nil, fmt.Errorf("PKCS#11 URI path attribute %q: %w", part, err)
		}
		if !pathAttrs[k] && !strings.HasPrefix(k, "x-") {
			return nil, fmt.Errorf("PKCS#11 URI: unknown path attribute %q (RFC 7512 knows %s)", k, keysOf(pathAttrs))
		}
		if _, dup := u.Path[k]; dup {
			return nil, fmt.Errorf("PKCS#11 URI: path attribute %q is given twice", k)
		}
		u.Path[k] = v
	}
	for _, part := range splitNonEmpty(query, "&") {
		k, v, err := attr(part)
		if err != nil {
			return nil, fmt.Errorf("PKCS#11 URI query attribute %q: %w", part, err)
		}
		if !queryAttrs[k] && !strings.HasPrefix(k, "x-") {
			return nil, fmt.Errorf("PKCS#11 URI: unknown query attribute %q (RFC 7512 knows %s)", k, keysOf(queryAttrs))
		}
		if _, dup := u.Query[k]; dup {
			return nil, fmt.Errorf("PKCS#11 URI: query attribute %q is given twice", k)
		}
		u.Query[k] = v
	}
	if t, ok := u.Path["type"]; ok && t != "private" && t != "cert" && t != "public" {
		return nil, fmt.Errorf("PKCS#11 URI: type=%s cannot sign; use type=private or leave type out", t)
	}
	if _, ok := u.Path["slot-id"]; ok {
		if _, err := strconv.ParseUint(u.Path["slot-id"], 10, 32); err != nil {
			return nil, fmt.Errorf("PKCS#11 URI: slot-id=%q is not a decimal number", u.Path["slot-id"])
		}
	}
	if u.Path["object"] == "" && u.Path["id"] == "" {
		return nil, errors.New("PKCS#11 URI names no key: add object=LABEL or id=%XX... (the CKA_LABEL or CKA_ID of the private key)")
	}
	if _, ok := u.Query["pin-value"]; ok {
		if _, ok := u.Query["pin-source"]; ok {
			return nil, errors.New("PKCS#11 URI: pin-value and pin-source are mutually exclusive")
		}
	}
	return u, nil
}

// Redacted returns the URI with any pin-value replaced, for messages.
func Redacted(s string) string {
	i := strings.Index(s, "pin-value=")
	if i < 0 {
		return s
	}
	end := strings.IndexAny(s[i:], "&")
	if end < 0 {
		return s[:i] + "pin-value=REDACTED"
	}
	return s[:i] + "pin-value=REDACTED" + s[i+end:]
}

// PIN returns the PIN the URI carries: pin-value, or the contents of the file
// pin-source names (a plain path or a file: URI; trailing newlines are
// dropped). ok is false when the URI has neither.
func (u *URI) PIN() (pin string, ok bool, err error) {
	if v, ok := u.Query["pin-value"]; ok {
		return v, true, nil
	}
	src, ok := u.Query["pin-source"]
	if !ok {
		return "", false, nil
	}
	path := strings.TrimPrefix(src, "file:")
	if strings.Contains(path, ":") && !strings.HasPrefix(path, "/") {
		return "", false, fmt.Errorf("PKCS#11 URI: pin-source %q: only files are supported (a path or file:/path)", src)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, fmt.Errorf("PKCS#11 URI pin-source: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), true, nil
}

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func attr(part string) (string, string, error) {
	k, v, ok := strings.Cut(part, "=")
	if !ok || k == "" {
		return "", "", errors.New("want NAME=VALUE")
	}
	dv, err := unescape(v)
	if err != nil {
		return "", "", err
	}
	return k, dv, nil
}

// unescape decodes %XX escapes. Unlike net/url it keeps '+' as is, as RFC 7512 says.
func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("truncated percent escape in %q", s)
		}
		n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("bad percent escape %q", s[i:i+3])
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

func keysOf(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}
