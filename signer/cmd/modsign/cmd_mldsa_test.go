package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/internal/oracle"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

// waiveConfig is a 7.2 .config that lets ML-DSA module signatures carry signed attributes.
const waiveConfig = "CONFIG_CRYPTO_SHA512=y\nCONFIG_CRYPTO_MLDSA=y\nCONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA=y\n"

// TestMLDSAForms: keygen makes ML-DSA keys and certificates; sign makes the
// pure form (the module signed itself) by default and sign-file's
// signed-attributes form with --signed-attrs, both deterministic; 7.2 takes
// the pure form, and the other only with the waiver; 6.1 refuses both;
// tampering is refused.
func TestMLDSAForms(t *testing.T) {
	tmp := t.TempDir()
	cfg := write(t, filepath.Join(tmp, "waive.config"), []byte(waiveConfig))
	for _, typ := range []string{"mldsa44", "mldsa65", "mldsa87"} {
		k, c := filepath.Join(tmp, typ+".key"), filepath.Join(tmp, typ+".crt")
		if code, _, stderr := runCLI(t, nil, "keygen", "--cn", "ML-DSA "+typ, "--type", typ, "--key", k, "--cert", c); code != 0 {
			t.Fatalf("%s: keygen: %s", typ, stderr)
		}
		pure, attrs := filepath.Join(tmp, typ+"-pure.ko"), filepath.Join(tmp, typ+"-attrs.ko")
		for _, out := range []string{pure, pure + ".again"} {
			if code, _, stderr := runCLI(t, nil, "sign", "--key", k, "--cert", c, "--kernel", "7.2", "--out", out, testModule); code != 0 {
				t.Fatalf("%s: sign: %s", typ, stderr)
			}
		}
		if !bytes.Equal(read(t, pure), read(t, pure+".again")) {
			t.Errorf("%s: ML-DSA signing is not deterministic", typ)
		}
		// The signed-attributes form is refused for a 7.2 kernel without the waiver...
		if code, _, stderr := runCLI(t, nil, "sign", "--key", k, "--cert", c, "--signed-attrs", "--kernel", "7.2", "--out", attrs, testModule); code == 0 || !strings.Contains(stderr, "module-authattrs") {
			t.Errorf("%s: --signed-attrs for a 7.2 kernel without the waiver: exit %d, %s", typ, code, stderr)
		}
		// ...and made for one with it.
		if code, _, stderr := runCLI(t, nil, "sign", "--key", k, "--cert", c, "--signed-attrs", "--kernel", "7.2", "--kernel-config", cfg, "--out", attrs, testModule); code != 0 {
			t.Fatalf("%s: sign --signed-attrs: %s", typ, stderr)
		}
		sm, err := modsig.Split(read(t, attrs))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := cms.Parse(sm.Signature)
		if err != nil || msg.Signers[0].SignedAttrs == nil {
			t.Fatalf("%s: --signed-attrs made no signed attributes (%v)", typ, err)
		}
		for _, vc := range []struct {
			module string
			args   []string
			ok     bool
			want   string
		}{
			{pure, []string{"--kernel", "7.2"}, true, "OK on Linux 7.2"},
			{attrs, []string{"--kernel", "7.2", "--kernel-config", cfg}, true, "OK on Linux 7.2"},
			{attrs, []string{"--kernel", "7.2"}, false, "module-authattrs"},
			{pure, []string{"--kernel", "6.1"}, false, "need Linux 7.0 or later"},
		} {
			code, stdout, stderr := runCLI(t, nil, append(append([]string{"verify", "--cert", c}, vc.args...), vc.module)...)
			if (code == 0) != vc.ok || !strings.Contains(stdout+stderr, vc.want) {
				t.Errorf("%s: verify %v %s: exit %d, %s%s; want %q", typ, vc.args, filepath.Base(vc.module), code, stdout, stderr, vc.want)
			}
		}
		// Tampered: one byte of the module.
		bad := read(t, pure)
		bad[300] ^= 1
		badPath := write(t, filepath.Join(tmp, typ+"-bad.ko"), bad)
		if code, stdout, _ := runCLI(t, nil, "verify", "--cert", c, "--kernel", "7.2", badPath); code != 1 || !strings.Contains(stdout, "EKEYREJECTED") {
			t.Errorf("%s: a tampered module: exit %d, %s", typ, code, stdout)
		}
	}
}

// TestMLDSAAgainstSidSignFile: sid's sign-file (linux-kbuild-7.2, OpenSSL
// 3.6) signs with a key and certificate modsign made; modsign verify takes
// its output, and modsign sign-file makes the same bytes except the
// signature itself (OpenSSL's ML-DSA is hedged, so its signature differs on
// every run); OpenSSL verifies modsign's.
func TestMLDSAAgainstSidSignFile(t *testing.T) {
	sf := sidOracle(t)
	openssl := oracle.Find(t, "openssl", "`apt-get install openssl`")
	tmp := t.TempDir()
	cfg := write(t, filepath.Join(tmp, "waive.config"), []byte(waiveConfig))
	mod := write(t, filepath.Join(tmp, "m.ko"), read(t, testModule))
	for _, typ := range []string{"mldsa44", "mldsa65", "mldsa87"} {
		k, c := filepath.Join(tmp, typ+".key"), filepath.Join(tmp, typ+".crt")
		if code, _, stderr := runCLI(t, nil, "keygen", "--cn", "ML-DSA "+typ, "--type", typ, "--key", k, "--cert", c); code != 0 {
			t.Fatalf("%s: keygen: %s", typ, stderr)
		}
		ref := filepath.Join(tmp, typ+"-sid.ko")
		if out, err := exec.Command(sf, "sha512", k, c, mod, ref).CombinedOutput(); err != nil {
			t.Fatalf("%s: %s with modsign's key: %v\n%s", typ, sf, err, out)
		}
		if code, stdout, stderr := runCLI(t, nil, "verify", "--cert", c, "--kernel", "7.2", "--kernel-config", cfg, ref); code != 0 {
			t.Errorf("%s: modsign verify refuses sid's sign-file output: %s%s", typ, stdout, stderr)
		}
		ours := filepath.Join(tmp, typ+"-ours.ko")
		if code, _, stderr := runCLI(t, nil, "sign-file", "-p", "sha512", k, c, mod, ours); code != 0 {
			t.Fatalf("%s: modsign sign-file: %s", typ, stderr)
		}
		a, b := read(t, ours), read(t, ref)
		sa, _ := modsig.Split(a)
		sb, _ := modsig.Split(b)
		ma, err1 := cms.Parse(sa.Signature)
		mb, err2 := cms.Parse(sb.Signature)
		if err1 != nil || err2 != nil || len(a) != len(b) {
			t.Fatalf("%s: sizes %d vs %d, parse %v %v", typ, len(a), len(b), err1, err2)
		}
		sigA, sigB := ma.Signers[0].Signature, mb.Signers[0].Signature
		if !bytes.Equal(bytes.Replace(a, sigA, sigB, 1), b) {
			t.Errorf("%s: modsign sign-file differs from sid's sign-file in more than the signature value", typ)
		}
		if out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", mod+".p7s",
			"-content", mod, "-certfile", c, "-noverify", "-out", os.DevNull).CombinedOutput(); err != nil {
			t.Errorf("%s: openssl cms -verify refuses modsign's signature: %v\n%s", typ, err, out)
		}
		os.Remove(mod + ".p7s")
	}
}

// sidOracle returns sid's sign-file (linux-kbuild-7.2, built with OpenSSL
// 3.6, which signs with ML-DSA). Only Debian sid packages it: there, and in
// the project's sid chroot where `bazel test` runs, a missing one fails the
// test under CI (oracle.Find); on other systems (the bookworm host of
// `go test`) the test skips loudly, since the bazel step runs it.
func sidOracle(t *testing.T) string {
	t.Helper()
	if m, _ := filepath.Glob("/usr/lib/linux-kbuild-7.*/scripts/sign-file"); len(m) > 0 {
		return m[0]
	}
	if osr, _ := os.ReadFile("/etc/os-release"); bytes.Contains(osr, []byte("sid")) {
		return oracle.Find(t, "/usr/lib/linux-kbuild-7.2/scripts/sign-file", "`apt-get install linux-kbuild-7.2`")
	}
	t.Skip("!!! SKIPPING: sid's sign-file (linux-kbuild-7.2, OpenSSL >= 3.5 for ML-DSA) exists only on Debian sid; `tools/bazel test //signer/cmd/modsign:modsign_test` runs this in the sid chroot")
	return ""
}

// TestMLDSADetached: OpenSSL 3.6 as the outside ML-DSA signer, for both
// forms 7.2 accepts: the pure form (the module itself signed), signed as the
// external mu `modsign digest --cert` writes (-pkeyopt mu:1) or as the whole
// module (-rawin), and the signed-attributes form, over what `modsign digest
// --signed-attrs` writes. In OpenSSL's deterministic mode (-pkeyopt
// deterministic:1, FIPS 204's deterministic variant, as circl's) every
// attached module is byte-identical to `modsign sign`'s; in its default
// hedged mode the attached module verifies and differs from sid's sign-file
// only in the signature value.
func TestMLDSADetached(t *testing.T) {
	sf := sidOracle(t) // the same system has OpenSSL 3.6
	openssl := oracle.Find(t, "openssl", "`apt-get install openssl`")
	tmp := t.TempDir()
	cfg := write(t, filepath.Join(tmp, "waive.config"), []byte(waiveConfig))
	mod := write(t, filepath.Join(tmp, "m.ko"), read(t, testModule))
	k, c := filepath.Join(tmp, "k.pem"), filepath.Join(tmp, "c.pem")
	if code, _, stderr := runCLI(t, nil, "keygen", "--cn", "ML-DSA release key", "--type", "mldsa65", "--key", k, "--cert", c); code != 0 {
		t.Fatal(stderr)
	}
	pkeyutl := func(in, out string, opts ...string) {
		t.Helper()
		args := append([]string{"pkeyutl", "-sign", "-inkey", k, "-in", in, "-out", out}, opts...)
		if o, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, o)
		}
	}
	det := []string{"-pkeyopt", "deterministic:1"}
	// The references: modsign sign, both forms.
	refPure, refAttrs := filepath.Join(tmp, "ref-pure.ko"), filepath.Join(tmp, "ref-attrs.ko")
	if code, _, stderr := runCLI(t, nil, "sign", "--key", k, "--cert", c, "--out", refPure, mod); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, nil, "sign", "--key", k, "--cert", c, "--signed-attrs", "--kernel", "7.2", "--kernel-config", cfg, "--out", refAttrs, mod); code != 0 {
		t.Fatal(stderr)
	}

	mu := filepath.Join(tmp, "mu.bin")
	if code, _, stderr := runCLI(t, nil, "digest", "--cert", c, "--out", mu, mod); code != 0 {
		t.Fatal(stderr)
	}
	if n := len(read(t, mu)); n != 64 {
		t.Fatalf("digest --cert with an ML-DSA certificate wrote %d bytes, want the 64-byte external mu", n)
	}
	attrsIn := filepath.Join(tmp, "attrs.bin")
	if code, _, stderr := runCLI(t, nil, "digest", "--signed-attrs", "--out", attrsIn, mod); code != 0 {
		t.Fatal(stderr)
	}
	sig := func(name string) string { return filepath.Join(tmp, name) }
	pkeyutl(mu, sig("mu.sig"), append([]string{"-pkeyopt", "mu:1"}, det...)...)
	pkeyutl(mod, sig("raw.sig"), append([]string{"-rawin"}, det...)...)
	pkeyutl(attrsIn, sig("attrs.sig"), append([]string{"-rawin"}, det...)...)
	pkeyutl(mu, sig("mu-hedged.sig"), "-pkeyopt", "mu:1")
	pkeyutl(attrsIn, sig("attrs-hedged.sig"), "-rawin")
	for _, f := range []struct {
		sig, ref, verifyCfg string
	}{
		{sig("mu.sig"), refPure, ""},
		{sig("raw.sig"), refPure, ""},
		{sig("attrs.sig"), refAttrs, cfg},
		{sig("mu-hedged.sig"), "", ""},
		{sig("attrs-hedged.sig"), "", cfg},
	} {
		out := f.sig + ".ko"
		if code, _, stderr := runCLI(t, nil, "attach", "--cert", c, "--sig", f.sig, "--out", out, mod); code != 0 {
			t.Fatalf("attach %s: %s", f.sig, stderr)
		}
		if f.ref != "" && !bytes.Equal(read(t, out), read(t, f.ref)) {
			t.Errorf("attach of OpenSSL's deterministic %s differs from modsign sign's %s", filepath.Base(f.sig), filepath.Base(f.ref))
		}
		args := []string{"verify", "--cert", c, "--kernel", "7.2"}
		if f.verifyCfg != "" {
			args = append(args, "--kernel-config", f.verifyCfg)
		}
		if code, stdout, stderr := runCLI(t, nil, append(args, out)...); code != 0 {
			t.Errorf("verify %s: %s%s", out, stdout, stderr)
		}
	}
	// sid's sign-file (OpenSSL 3.6 < 4: signed attributes, hedged) equals the
	// attached signed-attributes form but for the signature value.
	sfOut := filepath.Join(tmp, "sign-file.ko")
	if out, err := exec.Command(sf, "sha512", k, c, mod, sfOut).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", sf, err, out)
	}
	a, b := read(t, sig("attrs.sig")+".ko"), read(t, sfOut)
	sa, _ := modsig.Split(a)
	sb, _ := modsig.Split(b)
	ma, err1 := cms.Parse(sa.Signature)
	mb, err2 := cms.Parse(sb.Signature)
	if err1 != nil || err2 != nil || len(a) != len(b) {
		t.Fatalf("sizes %d vs %d, parse %v %v", len(a), len(b), err1, err2)
	}
	if !bytes.Equal(bytes.Replace(a, ma.Signers[0].Signature, mb.Signers[0].Signature, 1), b) {
		t.Errorf("the attached signed-attributes form differs from %s in more than the signature value", sf)
	}

	// A digest list with --cert: mu entries; a signature list back; attach --sigs.
	mod2 := write(t, filepath.Join(tmp, "n.ko"), read(t, testModule))
	list := filepath.Join(tmp, "list")
	if code, _, stderr := runCLI(t, nil, "digest", "--cert", c, "--list", list, mod, mod2); code != 0 {
		t.Fatal(stderr)
	}
	entries, err := sign.ParseList(read(t, list))
	if err != nil || len(entries) != 2 || entries[0].Kind != "mu:mldsa65" {
		t.Fatalf("digest --cert --list: %v %+v", err, entries)
	}
	var sigs []sign.ListEntry
	for i, en := range entries {
		in := write(t, filepath.Join(tmp, fmt.Sprintf("mu%d", i)), en.Data)
		pkeyutl(in, in+".sig", append([]string{"-pkeyopt", "mu:1"}, det...)...)
		sigs = append(sigs, sign.ListEntry{Kind: "sig", Data: read(t, in+".sig"), Name: en.Name})
	}
	var buf bytes.Buffer
	if err := sign.WriteList(&buf, "", sigs); err != nil {
		t.Fatal(err)
	}
	sigList := write(t, filepath.Join(tmp, "sigs"), buf.Bytes())
	outDir := filepath.Join(tmp, "attached")
	os.Mkdir(outDir, 0o755)
	if code, _, stderr := runCLI(t, nil, "attach", "--cert", c, "--sigs", sigList, "--out-dir", outDir, mod, mod2); code != 0 {
		t.Fatal(stderr)
	}
	for _, n := range []string{"m.ko", "n.ko"} {
		if !bytes.Equal(read(t, filepath.Join(outDir, n)), read(t, refPure)) {
			t.Errorf("attach --sigs %s differs from modsign sign's", n)
		}
	}

	// A signature over another module is refused.
	other := read(t, testModule)
	other[500] ^= 1
	otherPath := write(t, filepath.Join(tmp, "other.ko"), other)
	if code, _, stderr := runCLI(t, nil, "attach", "--cert", c, "--sig", sig("mu.sig"), "--out", filepath.Join(tmp, "x.ko"), otherPath); code != 1 || !strings.Contains(stderr, "neither over the module itself") {
		t.Errorf("attach of another module's ML-DSA signature: exit %d, %s", code, stderr)
	}
}

// TestMLDSAExternalMu: the external mu digest --cert writes is FIPS 204's: a
// signature over it (circl cannot take mu, so OpenSSL makes it where it
// exists) is tested above; here, without an oracle, mu depends on the key
// and the module, and an RSA certificate keeps the plain digest.
func TestMLDSAExternalMu(t *testing.T) {
	tmp := t.TempDir()
	mod := write(t, filepath.Join(tmp, "m.ko"), read(t, testModule))
	var mus [][]byte
	for i := 0; i < 2; i++ {
		k, c := filepath.Join(tmp, fmt.Sprint(i, ".key")), filepath.Join(tmp, fmt.Sprint(i, ".crt"))
		if code, _, stderr := runCLI(t, nil, "keygen", "--cn", "mu", "--type", "mldsa44", "--key", k, "--cert", c); code != 0 {
			t.Fatal(stderr)
		}
		code, stdout, stderr := runCLI(t, nil, "digest", "--cert", c, mod)
		if code != 0 || !strings.Contains(stdout, "mu:mldsa44 ") {
			t.Fatalf("digest --cert: exit %d, %s%s", code, stdout, stderr)
		}
		entries, err := sign.ParseList([]byte(stdout))
		if err != nil || len(entries) != 1 || len(entries[0].Data) != 64 {
			t.Fatalf("digest --cert: %v %+v", err, entries)
		}
		mus = append(mus, entries[0].Data)
	}
	if bytes.Equal(mus[0], mus[1]) {
		t.Error("two keys gave the same external mu")
	}
	code, stdout, _ := runCLI(t, nil, "digest", "--cert", key("test-only-rsa2048.pem"), mod)
	if code != 0 || !strings.Contains(stdout, "digest:sha512 ") {
		t.Errorf("digest --cert with an RSA certificate: exit %d, %s", code, stdout)
	}
}
