package protocol

import (
	"fmt"
	"sort"
	"strings"
)

// Lines about the guest's security state, printed by the init before it loads
// any module:
//
//	MODSIGN-LOCKDOWN none [integrity] confidentiality
//	MODSIGN-SIGENFORCE Y
//	MODSIGN-SECUREBOOT 1
//	MODSIGN-KEYRING .machine asymmetric Debian Secure Boot CA: 6ccece7e4c6c0d1f6149f3dd27dfcc5cbb419ea1
//	MODSIGN-KEYRING .blacklist count=412
//
// MODSIGN-LOCKDOWN is /sys/kernel/security/lockdown as it reads ("-" when
// the file is missing), MODSIGN-SIGENFORCE is
// /sys/module/module/parameters/sig_enforce ("-" when missing),
// MODSIGN-SECUREBOOT the value of the UEFI SecureBoot variable ("1", "0", or
// "-" without UEFI). MODSIGN-KEYRING names a system keyring (its /proc/keys
// description), the type of one key linked into it and that key's
// description; a keyring whose members are not listed one by one (.blacklist)
// gets a single count= line.
const (
	TagLockdown   = "MODSIGN-LOCKDOWN"
	TagSigEnforce = "MODSIGN-SIGENFORCE"
	TagSecureBoot = "MODSIGN-SECUREBOOT"
	TagKeyring    = "MODSIGN-KEYRING"
)

// Lockdown levels as the kernel names them.
const (
	LockdownNone            = "none"
	LockdownIntegrity       = "integrity"
	LockdownConfidentiality = "confidentiality"
	// LockdownAny asks for any level but none.
	LockdownAny = "any"
)

// KeyringMember is one key linked into a keyring.
type KeyringMember struct {
	Keyring     string // e.g. ".machine"
	Type        string // e.g. "asymmetric"
	Description string // e.g. "Out of tree build key: 3a4b..."
}

// Security is what the guest said about its security state.
type Security struct {
	Lockdown   string // the raw lockdown file, "" when the guest did not say
	SigEnforce string // "Y", "N", "-" or "" when the guest did not say
	SecureBoot string // "1", "0", "-" or "" when the guest did not say
	Keyrings   []KeyringMember
}

// ActiveLockdown returns the bracketed level of a lockdown file's text
// ("none [integrity] confidentiality" gives "integrity"), or "" when there is
// none.
func ActiveLockdown(s string) string {
	for _, f := range strings.Fields(s) {
		if strings.HasPrefix(f, "[") && strings.HasSuffix(f, "]") {
			return strings.Trim(f, "[]")
		}
	}
	return ""
}

// FormatKeyring renders a MODSIGN-KEYRING line (without newline).
func FormatKeyring(keyring, typ, description string) string {
	return fmt.Sprintf("%s %s %s %s", TagKeyring, word(keyring), word(typ), strings.ReplaceAll(description, "\n", " "))
}

// addSecurity handles the security tags; it reports whether tag was one.
func (rep *Report) addSecurity(tag, payload string) bool {
	switch tag {
	case TagLockdown:
		rep.Security.Lockdown = strings.TrimSpace(payload)
	case TagSigEnforce:
		rep.Security.SigEnforce = strings.TrimSpace(payload)
	case TagSecureBoot:
		rep.Security.SecureBoot = strings.TrimSpace(payload)
	case TagKeyring:
		f := strings.SplitN(payload, " ", 3)
		if len(f) < 2 {
			return true
		}
		m := KeyringMember{Keyring: f[0], Type: f[1]}
		if len(f) == 3 {
			m.Description = f[2]
		}
		rep.Security.Keyrings = append(rep.Security.Keyrings, m)
	default:
		return false
	}
	return true
}

// KeyringKey asks for a key in a keyring: a member of Keyring whose
// description contains every string of Match (e.g. the certificate's CN and
// its subjectKeyIdentifier in hex, which is how the kernel describes an X.509
// key).
type KeyringKey struct {
	Keyring string
	Match   []string
	What    string // how messages name the key, e.g. the certificate's file
}

// SecurityExpectations are the Secure Boot assertions of a test.
type SecurityExpectations struct {
	Lockdown   string // "" (no check), LockdownAny, LockdownIntegrity or LockdownConfidentiality
	SigEnforce bool   // sig_enforce must read Y
	SecureBoot bool   // the SecureBoot variable must be 1
	Keys       []KeyringKey
}

// CheckSecurity compares the guest's security lines with exp and returns one
// message per failed expectation, quoting what the guest said.
func CheckSecurity(rep *Report, exp SecurityExpectations) []string {
	var fails []string
	s := rep.Security
	if exp.SecureBoot && s.SecureBoot != "1" {
		fails = append(fails, fmt.Sprintf("UEFI Secure Boot is not on in the guest: %s %s (want 1)", TagSecureBoot, orMissing(s.SecureBoot)))
	}
	if exp.Lockdown != "" {
		got := ActiveLockdown(s.Lockdown)
		ok := got == exp.Lockdown || (exp.Lockdown == LockdownAny && got != "" && got != LockdownNone)
		if !ok {
			want := exp.Lockdown
			if want == LockdownAny {
				want = LockdownIntegrity + " or " + LockdownConfidentiality
			}
			fails = append(fails, fmt.Sprintf("the guest kernel is not locked down: %s %s (want [%s]; /sys/kernel/security/lockdown)", TagLockdown, orMissing(s.Lockdown), want))
		}
	}
	if exp.SigEnforce && s.SigEnforce != "Y" {
		fails = append(fails, fmt.Sprintf("module signatures are not enforced: %s %s (want Y; /sys/module/module/parameters/sig_enforce)", TagSigEnforce, orMissing(s.SigEnforce)))
	}
	for _, k := range exp.Keys {
		found := false
		for _, m := range s.Keyrings {
			if m.Keyring == k.Keyring && containsAll(m.Description, k.Match) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		msg := fmt.Sprintf("%s is not in the %s keyring (no key there matches %q); the guest's keyrings hold:", k.What, k.Keyring, k.Match)
		msg += keyringSummary(s.Keyrings, k.Keyring)
		fails = append(fails, msg)
	}
	return fails
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func orMissing(s string) string {
	if s == "" {
		return "(the guest printed no such line)"
	}
	return s
}

// keyringSummary quotes the members of the wanted keyring first, then which
// other keyrings the guest listed.
func keyringSummary(ms []KeyringMember, want string) string {
	var out []string
	others := map[string]int{}
	for _, m := range ms {
		if m.Keyring == want {
			out = append(out, "\n    "+FormatKeyring(m.Keyring, m.Type, m.Description))
		} else {
			others[m.Keyring]++
		}
	}
	if len(out) == 0 {
		out = append(out, "\n    "+want+": nothing")
	}
	names := make([]string, 0, len(others))
	for n := range others {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var members []string
		for _, m := range ms {
			if m.Keyring == n && m.Type != "keyring" {
				members = append(members, m.Description)
			}
		}
		out = append(out, fmt.Sprintf("\n    %s: %s", n, strings.Join(members, "; ")))
	}
	return strings.Join(out, "")
}
