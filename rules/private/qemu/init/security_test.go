package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSystemKeyrings(t *testing.T) {
	procKeys := `022564cc I------ 1 perm 082f0000 0 0 keyring .fs-verity: empty
095ce1d0 I--Q--- 2 perm 1f3f0000 0 65534 keyring _uid.0: empty
0a5a747d I------ 1 perm 1f0f0000 0 0 keyring .secondary_trusted_keys: 2
0ddeab6b I------ 1 perm 1f010000 0 0 asymmetri Microsoft Corporation UEFI CA 2011: 13adbf4309bd82709c8cd54f316ed522988a1bd4: X509.rsa 988a1bd4 []
zzzzzzzz I------ 1 perm 1f0f0000 0 0 keyring .bad: 2
`
	got := systemKeyrings(procKeys)
	want := []keyring{{0x022564cc, ".fs-verity"}, {0x0a5a747d, ".secondary_trusted_keys"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("systemKeyrings = %+v, want %+v", got, want)
	}
}

func TestParseSerials(t *testing.T) {
	b := make([]byte, 12)
	binary.NativeEndian.PutUint32(b[0:], 0x0a5a747d)
	binary.NativeEndian.PutUint32(b[4:], 0x0ddeab6b)
	binary.NativeEndian.PutUint32(b[8:], 7)
	if got, want := parseSerials(append(b, 1, 2)), []int{0x0a5a747d, 0x0ddeab6b, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("parseSerials = %x, want %x", got, want)
	}
}

func TestParseDescribe(t *testing.T) {
	typ, desc, err := parseDescribe("asymmetric;0;0;1f010000;MOK key: 0a1b;c\x00")
	if err != nil || typ != "asymmetric" || desc != "MOK key: 0a1b;c" {
		t.Errorf("parseDescribe = %q, %q, %v", typ, desc, err)
	}
	if _, _, err := parseDescribe("asymmetric;0;0"); err == nil {
		t.Error("parseDescribe accepted a short description")
	}
}

func TestSecureBootState(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	on := write("on", []byte{6, 0, 0, 0, 1})
	off := write("off", []byte{6, 0, 0, 0, 0})
	short := write("short", []byte{6, 0})
	params := func(v byte) string {
		b := make([]byte, 4096)
		b[bootParamsSecureBoot] = v
		return write(fmt.Sprintf("boot_params_%d", v), b)
	}
	missing := filepath.Join(dir, "missing")
	for _, c := range []struct{ efivar, params, want string }{
		{on, missing, "1"},
		{off, params(3), "0"}, // the variable wins
		{short, missing, "-"},
		{missing, params(3), "1"},
		{missing, params(2), "0"},
		{missing, params(0), "-"},
		{missing, write("tiny", []byte{1}), "-"},
		{missing, missing, "-"},
	} {
		if got := secureBootState(c.efivar, c.params); got != c.want {
			t.Errorf("secureBootState(%s, %s) = %q, want %q", filepath.Base(c.efivar), filepath.Base(c.params), got, c.want)
		}
	}
}
