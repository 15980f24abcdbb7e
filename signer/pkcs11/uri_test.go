package pkcs11

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	u, err := ParseURI("pkcs11:token=My%20Token;object=signing%3bkey;id=%01%02;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=12+34")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"token": "My Token", "object": "signing;key", "id": "\x01\x02", "type": "private"}
	for k, v := range want {
		if u.Path[k] != v {
			t.Errorf("path %s = %q, want %q", k, u.Path[k], v)
		}
	}
	if u.Query["module-path"] != "/usr/lib/softhsm/libsofthsm2.so" {
		t.Errorf("module-path = %q", u.Query["module-path"])
	}
	if pin, ok, err := u.PIN(); !ok || err != nil || pin != "12+34" {
		t.Errorf("PIN() = %q, %v, %v; want 12+34 ('+' is not a space in RFC 7512)", pin, ok, err)
	}
}

func TestParseURIErrors(t *testing.T) {
	for uri, want := range map[string]string{
		"/path/key.pem":                            "must start with",
		"pkcs11:token=a":                           "names no key",
		"pkcs11:object=a;object=b":                 "given twice",
		"pkcs11:objekt=a":                          "unknown path attribute",
		"pkcs11:object=a?pin=1":                    "unknown query attribute",
		"pkcs11:object=a;type=secret-key":          "cannot sign",
		"pkcs11:object=a%2":                        "truncated percent escape",
		"pkcs11:object=a%zz":                       "bad percent escape",
		"pkcs11:object=a;slot-id=x":                "not a decimal",
		"pkcs11:object=a?pin-value=1&pin-source=f": "mutually exclusive",
		"pkcs11:object":                            "NAME=VALUE",
	} {
		if _, err := ParseURI(uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURI(%q) = %v; want an error with %q", uri, err, want)
		}
	}
	// Vendor attributes are kept.
	if u, err := ParseURI("pkcs11:object=a;x-vendor=1"); err != nil || u.Path["x-vendor"] != "1" {
		t.Errorf("x- attribute: %v %v", u, err)
	}
}

func TestPINSource(t *testing.T) {
	f := filepath.Join(t.TempDir(), "pin")
	os.WriteFile(f, []byte("5678\n"), 0o600)
	for _, src := range []string{f, "file:" + f} {
		u, err := ParseURI("pkcs11:object=k?pin-source=" + src)
		if err != nil {
			t.Fatal(err)
		}
		if pin, ok, err := u.PIN(); !ok || err != nil || pin != "5678" {
			t.Errorf("pin-source=%s: %q %v %v", src, pin, ok, err)
		}
	}
	u, _ := ParseURI("pkcs11:object=k?pin-source=|/bin/cat")
	if _, _, err := u.PIN(); err == nil {
		t.Errorf("a pin-source command was accepted")
	}
	u, _ = ParseURI("pkcs11:object=k")
	if _, ok, _ := u.PIN(); ok {
		t.Errorf("PIN() found a PIN in a URI without one")
	}
}

func TestRedacted(t *testing.T) {
	for in, want := range map[string]string{
		"pkcs11:object=k?pin-value=1234":                   "pkcs11:object=k?pin-value=REDACTED",
		"pkcs11:object=k?pin-value=1234&module-path=/x.so": "pkcs11:object=k?pin-value=REDACTED&module-path=/x.so",
		"pkcs11:object=k":                                  "pkcs11:object=k",
	} {
		if got := Redacted(in); got != want {
			t.Errorf("Redacted(%q) = %q, want %q", in, got, want)
		}
	}
}
