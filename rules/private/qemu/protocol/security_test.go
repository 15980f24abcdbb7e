package protocol

import (
	"strings"
	"testing"
)

// A Secure Boot run of Debian's 6.1 as the init reports it (shortened).
const secureBootLog = `MODSIGN-INIT start
MODSIGN-LOCKDOWN none [integrity] confidentiality
MODSIGN-SIGENFORCE Y
MODSIGN-SECUREBOOT 1
MODSIGN-KEYRING .builtin_trusted_keys asymmetric Debian Secure Boot CA: 6ccece7e4c6c0d1f6149f3dd27dfcc5cbb419ea1
MODSIGN-KEYRING .secondary_trusted_keys keyring .builtin_trusted_keys
MODSIGN-KEYRING .secondary_trusted_keys keyring .machine
MODSIGN-KEYRING .machine asymmetric MOK key: 0a1b2c3d
MODSIGN-KEYRING .platform asymmetric Microsoft Corporation UEFI CA 2011: 13adbf4309bd82709c8cd54f316ed522988a1bd4
MODSIGN-KEYRING .blacklist count=412
MODSIGN-DONE results=0
`

func TestParseSecurity(t *testing.T) {
	rep, err := Parse(strings.NewReader(secureBootLog))
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Security
	if s.Lockdown != "none [integrity] confidentiality" || s.SigEnforce != "Y" || s.SecureBoot != "1" {
		t.Errorf("Security = %+v", s)
	}
	if len(s.Keyrings) != 6 {
		t.Fatalf("%d keyring lines, want 6: %+v", len(s.Keyrings), s.Keyrings)
	}
	want := KeyringMember{Keyring: ".machine", Type: "asymmetric", Description: "MOK key: 0a1b2c3d"}
	if s.Keyrings[3] != want {
		t.Errorf("Keyrings[3] = %+v, want %+v", s.Keyrings[3], want)
	}
	if got := (KeyringMember{Keyring: ".blacklist", Type: "count=412"}); s.Keyrings[5] != got {
		t.Errorf("Keyrings[5] = %+v, want %+v", s.Keyrings[5], got)
	}
}

func TestActiveLockdown(t *testing.T) {
	for in, want := range map[string]string{
		"[none] integrity confidentiality": "none",
		"none [integrity] confidentiality": "integrity",
		"none integrity [confidentiality]": "confidentiality",
		"-":                                "",
		"":                                 "",
	} {
		if got := ActiveLockdown(in); got != want {
			t.Errorf("ActiveLockdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckSecurityPasses(t *testing.T) {
	rep, _ := Parse(strings.NewReader(secureBootLog))
	exp := SecurityExpectations{
		Lockdown:   LockdownAny,
		SigEnforce: true,
		SecureBoot: true,
		Keys: []KeyringKey{
			{Keyring: ".machine", Match: []string{"MOK key", "0a1b2c3d"}, What: "mok.pem"},
			{Keyring: ".platform", Match: []string{"Microsoft Corporation UEFI CA 2011"}, What: "db"},
		},
	}
	if fails := CheckSecurity(rep, exp); len(fails) != 0 {
		t.Errorf("CheckSecurity failed: %q", fails)
	}
	exp.Lockdown = LockdownIntegrity
	if fails := CheckSecurity(rep, exp); len(fails) != 0 {
		t.Errorf("CheckSecurity(integrity) failed: %q", fails)
	}
}

func TestCheckSecurityFails(t *testing.T) {
	// A boot without Secure Boot: no lockdown, no enforcement, the key elsewhere.
	log := `MODSIGN-INIT start
MODSIGN-LOCKDOWN [none] integrity confidentiality
MODSIGN-SIGENFORCE N
MODSIGN-SECUREBOOT 0
MODSIGN-KEYRING .platform asymmetric MOK key: 0a1b2c3d
MODSIGN-DONE results=0
`
	rep, _ := Parse(strings.NewReader(log))
	exp := SecurityExpectations{
		Lockdown:   LockdownAny,
		SigEnforce: true,
		SecureBoot: true,
		Keys:       []KeyringKey{{Keyring: ".machine", Match: []string{"MOK key", "0a1b2c3d"}, What: "mok.pem"}},
	}
	fails := CheckSecurity(rep, exp)
	if len(fails) != 4 {
		t.Fatalf("want 4 failures, got %d: %q", len(fails), fails)
	}
	for i, want := range []string{
		"Secure Boot is not on",
		"not locked down: MODSIGN-LOCKDOWN [none] integrity confidentiality",
		"sig_enforce",
		"mok.pem is not in the .machine keyring",
	} {
		if !strings.Contains(fails[i], want) {
			t.Errorf("failure %d = %q, want it to contain %q", i, fails[i], want)
		}
	}
	if !strings.Contains(fails[3], ".platform: MOK key: 0a1b2c3d") {
		t.Errorf("the keyring failure does not say where the key is: %q", fails[3])
	}

	// A matching SKID but another CN is not the key.
	exp = SecurityExpectations{Keys: []KeyringKey{{Keyring: ".platform", Match: []string{"Other", "0a1b2c3d"}, What: "other.pem"}}}
	if fails := CheckSecurity(rep, exp); len(fails) != 1 {
		t.Errorf("want 1 failure for another CN, got %q", fails)
	}

	// Nothing said at all: every expectation fails, saying the line is missing.
	rep, _ = Parse(strings.NewReader("MODSIGN-INIT start\nMODSIGN-DONE results=0\n"))
	exp = SecurityExpectations{Lockdown: LockdownIntegrity, SigEnforce: true, SecureBoot: true}
	fails = CheckSecurity(rep, exp)
	if len(fails) != 3 {
		t.Fatalf("want 3 failures, got %q", fails)
	}
	for _, f := range fails {
		if !strings.Contains(f, "printed no such line") {
			t.Errorf("failure %q does not say the line is missing", f)
		}
	}
}
