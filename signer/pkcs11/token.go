//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"sync"

	p11 "github.com/miekg/pkcs11"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Available reports whether this build can talk to tokens (it needs cgo).
const Available = true

// Options say where the token library and the PIN come from when the URI
// does not carry them.
type Options struct {
	// ModulePath is the PKCS#11 library, used when the URI has no module-path.
	ModulePath string
	// PIN is the user PIN, used when the URI has no pin-value or pin-source.
	PIN *string
}

// Key is a private key in a token. It implements crypto.Signer; signing is
// serialised on one session, so it is safe for concurrent use.
type Key struct {
	mu      sync.Mutex
	ctx     *p11.Ctx
	session p11.SessionHandle
	priv    p11.ObjectHandle
	pub     crypto.PublicKey
	cert    *x509.Certificate
	desc    string
}

// Open finds the private key a URI names, logging in with the PIN when the
// token requires it. Close releases the token.
func Open(uri string, opts Options) (*Key, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	k, err := open(u, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Redacted(uri), err)
	}
	k.desc = Redacted(uri)
	if err := k.findKey(u); err != nil {
		k.Close()
		return nil, fmt.Errorf("%s: %w", Redacted(uri), err)
	}
	return k, nil
}

// ModulePath returns the PKCS#11 library the URI names, or opts' default.
func ModulePath(u *URI, opts Options) (string, error) {
	if p := u.Query["module-path"]; p != "" {
		return p, nil
	}
	if n := u.Query["module-name"]; n != "" {
		return "", fmt.Errorf("module-name=%s: give the library's full path as module-path instead (modsign does not search for libraries)", n)
	}
	if opts.ModulePath != "" {
		return opts.ModulePath, nil
	}
	return "", errors.New("no PKCS#11 library: add module-path=/path/to/lib.so to the URI, pass --pkcs11-module, or set MODSIGN_PKCS11_MODULE (or PKCS11_PROVIDER_MODULE, as for OpenSSL's pkcs11-provider)")
}

func open(u *URI, opts Options) (*Key, error) {
	lib, err := ModulePath(u, opts)
	if err != nil {
		return nil, err
	}
	ctx := p11.New(lib)
	if ctx == nil {
		return nil, fmt.Errorf("cannot load the PKCS#11 library %s (dlopen failed, or it has no C_GetFunctionList)", lib)
	}
	if err := ctx.Initialize(); err != nil && !isRV(err, p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		ctx.Destroy()
		return nil, fmt.Errorf("PKCS#11 library %s: C_Initialize: %w", lib, err)
	}
	k := &Key{ctx: ctx}
	slot, flags, err := findSlot(ctx, u)
	if err != nil {
		k.Close()
		return nil, fmt.Errorf("PKCS#11 library %s: %w", lib, err)
	}
	k.session, err = ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		k.session = 0
		k.Close()
		return nil, fmt.Errorf("opening a session on slot %d: %w", slot, err)
	}
	if flags&p11.CKF_LOGIN_REQUIRED != 0 {
		pin, ok, err := u.PIN()
		if err != nil {
			k.Close()
			return nil, err
		}
		if !ok && opts.PIN != nil {
			pin, ok = *opts.PIN, true
		}
		if !ok {
			k.Close()
			return nil, ErrNeedPIN
		}
		if err := ctx.Login(k.session, p11.CKU_USER, pin); err != nil && !isRV(err, p11.CKR_USER_ALREADY_LOGGED_IN) {
			k.Close()
			if isRV(err, p11.CKR_PIN_INCORRECT) || isRV(err, p11.CKR_PIN_INVALID) || isRV(err, p11.CKR_PIN_LEN_RANGE) {
				return nil, ErrWrongPIN
			}
			return nil, fmt.Errorf("C_Login: %w", err)
		}
	}
	return k, nil
}

// ErrNeedPIN is returned when the token requires a login and no PIN was given.
var ErrNeedPIN = errors.New("the token requires a PIN and none was given")

// ErrWrongPIN is returned when the token refuses the PIN.
var ErrWrongPIN = errors.New("the token refused the PIN")

func isRV(err error, rv uint) bool {
	var e p11.Error
	return errors.As(err, &e) && uint(e) == rv
}

func trim(s string) string { return strings.TrimRight(s, " \x00") }

// findSlot returns the one slot whose token matches the URI's token and slot attributes.
func findSlot(ctx *p11.Ctx, u *URI) (uint, uint, error) {
	if info, err := ctx.GetInfo(); err == nil {
		if v, ok := u.Path["library-manufacturer"]; ok && v != trim(info.ManufacturerID) {
			return 0, 0, fmt.Errorf("library-manufacturer is %q, the URI wants %q", trim(info.ManufacturerID), v)
		}
		if v, ok := u.Path["library-description"]; ok && v != trim(info.LibraryDescription) {
			return 0, 0, fmt.Errorf("library-description is %q, the URI wants %q", trim(info.LibraryDescription), v)
		}
		if v, ok := u.Path["library-version"]; ok {
			got := fmt.Sprintf("%d.%d", info.LibraryVersion.Major, info.LibraryVersion.Minor)
			if v != got && v+".0" != got {
				return 0, 0, fmt.Errorf("library-version is %s, the URI wants %s", got, v)
			}
		}
	}
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return 0, 0, fmt.Errorf("C_GetSlotList: %w", err)
	}
	var matches []uint
	var flags uint
	var seen []string
	for _, s := range slots {
		ti, err := ctx.GetTokenInfo(s)
		if err != nil {
			continue
		}
		seen = append(seen, fmt.Sprintf("slot %d: token=%q serial=%q", s, trim(ti.Label), trim(ti.SerialNumber)))
		want := map[string]string{
			"token": trim(ti.Label), "manufacturer": trim(ti.ManufacturerID),
			"serial": trim(ti.SerialNumber), "model": trim(ti.Model),
			"slot-id": strconv.FormatUint(uint64(s), 10),
		}
		if si, err := ctx.GetSlotInfo(s); err == nil {
			want["slot-description"] = trim(si.SlotDescription)
			want["slot-manufacturer"] = trim(si.ManufacturerID)
		}
		ok := true
		for a, got := range want {
			if v, set := u.Path[a]; set && v != got {
				ok = false
			}
		}
		if ok {
			matches = append(matches, s)
			flags = ti.Flags
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], flags, nil
	case 0:
		if len(seen) == 0 {
			return 0, 0, errors.New("no token is present (for SoftHSM: is SOFTHSM2_CONF set, and does its directories.tokendir hold a token?)")
		}
		return 0, 0, fmt.Errorf("no token matches the URI; present: %s", strings.Join(seen, "; "))
	default:
		return 0, 0, fmt.Errorf("%d tokens match the URI; add token= or serial= to pick one (present: %s)", len(matches), strings.Join(seen, "; "))
	}
}

func (k *Key) find(template []*p11.Attribute) ([]p11.ObjectHandle, error) {
	if err := k.ctx.FindObjectsInit(k.session, template); err != nil {
		return nil, fmt.Errorf("C_FindObjectsInit: %w", err)
	}
	defer k.ctx.FindObjectsFinal(k.session)
	var out []p11.ObjectHandle
	for {
		objs, _, err := k.ctx.FindObjects(k.session, 16)
		if err != nil {
			return nil, fmt.Errorf("C_FindObjects: %w", err)
		}
		if len(objs) == 0 {
			return out, nil
		}
		out = append(out, objs...)
	}
}

func selector(u *URI, class uint) []*p11.Attribute {
	t := []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, class)}
	if v, ok := u.Path["object"]; ok {
		t = append(t, p11.NewAttribute(p11.CKA_LABEL, v))
	}
	if v, ok := u.Path["id"]; ok {
		t = append(t, p11.NewAttribute(p11.CKA_ID, []byte(v)))
	}
	return t
}

func (k *Key) attr(o p11.ObjectHandle, typ uint) ([]byte, error) {
	a, err := k.ctx.GetAttributeValue(k.session, o, []*p11.Attribute{p11.NewAttribute(typ, nil)})
	if err != nil {
		return nil, err
	}
	return a[0].Value, nil
}

func (k *Key) findKey(u *URI) error {
	privs, err := k.find(selector(u, p11.CKO_PRIVATE_KEY))
	if err != nil {
		return err
	}
	switch len(privs) {
	case 0:
		var labels []string
		if all, err := k.find([]*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY)}); err == nil {
			for _, o := range all {
				l, _ := k.attr(o, p11.CKA_LABEL)
				id, _ := k.attr(o, p11.CKA_ID)
				labels = append(labels, fmt.Sprintf("object=%s;id=%s", l, pctEncode(id)))
			}
		}
		return fmt.Errorf("no private key matches object/id in the token (its private keys: %s; a PIN is needed to see private objects)", strings.Join(labels, ", "))
	case 1:
	default:
		return fmt.Errorf("%d private keys match; add id= to pick one", len(privs))
	}
	k.priv = privs[0]
	// The matching certificate, if the token holds one.
	id, _ := k.attr(k.priv, p11.CKA_ID)
	label, _ := k.attr(k.priv, p11.CKA_LABEL)
	for _, t := range [][]*p11.Attribute{
		{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE), p11.NewAttribute(p11.CKA_ID, id)},
		{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE), p11.NewAttribute(p11.CKA_LABEL, label)},
	} {
		if len(id) == 0 && t[1].Type == p11.CKA_ID {
			continue
		}
		if certs, err := k.find(t); err == nil && len(certs) == 1 {
			if der, err := k.attr(certs[0], p11.CKA_VALUE); err == nil {
				if c, err := x509.ParseCertificate(der); err == nil {
					k.cert = c
					break
				}
			}
		}
	}
	kt, err := k.attr(k.priv, p11.CKA_KEY_TYPE)
	if err != nil {
		return fmt.Errorf("reading CKA_KEY_TYPE: %w", err)
	}
	switch ulong(kt) {
	case p11.CKK_RSA:
		n, err1 := k.attr(k.priv, p11.CKA_MODULUS)
		e, err2 := k.attr(k.priv, p11.CKA_PUBLIC_EXPONENT)
		if err1 != nil || err2 != nil || len(n) == 0 {
			if k.cert == nil {
				return errors.New("cannot read the RSA key's modulus and the token holds no certificate for it")
			}
			k.pub = k.cert.PublicKey
			break
		}
		k.pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	case p11.CKK_EC:
		pub, err := k.ecPublic(id, label)
		if err != nil {
			return err
		}
		k.pub = pub
	default:
		return fmt.Errorf("the key's type is CKK 0x%x; Linux module signatures need RSA or ECDSA", ulong(kt))
	}
	return nil
}

func (k *Key) ecPublic(id, label []byte) (crypto.PublicKey, error) {
	for _, t := range [][]*p11.Attribute{
		{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY), p11.NewAttribute(p11.CKA_ID, id)},
		{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY), p11.NewAttribute(p11.CKA_LABEL, label)},
	} {
		objs, err := k.find(t)
		if err != nil || len(objs) != 1 {
			continue
		}
		params, err1 := k.attr(objs[0], p11.CKA_EC_PARAMS)
		point, err2 := k.attr(objs[0], p11.CKA_EC_POINT)
		if err1 != nil || err2 != nil {
			continue
		}
		return parseECPublic(params, point)
	}
	if k.cert != nil {
		return k.cert.PublicKey, nil
	}
	return nil, errors.New("the token holds no public key or certificate for the EC private key")
}

var (
	oidP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

func parseECPublic(params, point []byte) (*ecdsa.PublicKey, error) {
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(params, &oid); err != nil {
		return nil, fmt.Errorf("CKA_EC_PARAMS is not a named curve: %w", err)
	}
	var curve elliptic.Curve
	switch {
	case oid.Equal(oidP256):
		curve = elliptic.P256()
	case oid.Equal(oidP384):
		curve = elliptic.P384()
	case oid.Equal(oidP521):
		curve = elliptic.P521()
	default:
		return nil, fmt.Errorf("unsupported curve %s", oid)
	}
	// CKA_EC_POINT is a DER OCTET STRING holding the uncompressed point (some tokens omit the wrapper).
	raw := point
	var inner []byte
	if rest, err := asn1.Unmarshal(point, &inner); err == nil && len(rest) == 0 {
		raw = inner
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, raw)
	if err != nil {
		return nil, fmt.Errorf("CKA_EC_POINT: %w", err)
	}
	return pub, nil
}

// ulong decodes a CK_ULONG attribute value (native byte order).
func ulong(b []byte) uint {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b))
	case 4:
		return uint(binary.NativeEndian.Uint32(b))
	}
	return ^uint(0)
}

// Public returns the key's public half.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Certificate returns the certificate the token holds for the key, or nil.
func (k *Key) Certificate() *x509.Certificate { return k.cert }

// String names the key by its URI, without the PIN.
func (k *Key) String() string { return k.desc }

// Sign signs digest in the token: RSA PKCS#1 v1.5 (CKM_RSA_PKCS over the
// DigestInfo) or ECDSA (CKM_ECDSA, returned as a DER ECDSA-Sig-Value).
// Both are deterministic for RSA; the token decides for ECDSA.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch k.pub.(type) {
	case *rsa.PublicKey:
		if _, pss := opts.(*rsa.PSSOptions); pss {
			return nil, errors.New("RSA-PSS is not used for module signatures")
		}
		prefix, ok := digestInfoPrefixes[opts.HashFunc()]
		if !ok || len(digest) != opts.HashFunc().Size() {
			return nil, fmt.Errorf("unsupported digest %v for RSA PKCS#1 v1.5", opts.HashFunc())
		}
		if err := k.ctx.SignInit(k.session, []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, k.priv); err != nil {
			return nil, fmt.Errorf("%s: C_SignInit(CKM_RSA_PKCS): %w", k.desc, err)
		}
		sig, err := k.ctx.Sign(k.session, append(append([]byte{}, prefix...), digest...))
		if err != nil {
			return nil, fmt.Errorf("%s: C_Sign: %w", k.desc, err)
		}
		return sig, nil
	case *ecdsa.PublicKey:
		if err := k.ctx.SignInit(k.session, []*p11.Mechanism{p11.NewMechanism(p11.CKM_ECDSA, nil)}, k.priv); err != nil {
			return nil, fmt.Errorf("%s: C_SignInit(CKM_ECDSA): %w", k.desc, err)
		}
		raw, err := k.ctx.Sign(k.session, digest)
		if err != nil {
			return nil, fmt.Errorf("%s: C_Sign: %w", k.desc, err)
		}
		if len(raw)%2 != 0 {
			return nil, fmt.Errorf("%s: CKM_ECDSA returned %d bytes, not r||s", k.desc, len(raw))
		}
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(new(big.Int).SetBytes(raw[:len(raw)/2]))
			b.AddASN1BigInt(new(big.Int).SetBytes(raw[len(raw)/2:]))
		})
		return b.Bytes()
	}
	return nil, fmt.Errorf("unsupported key type %T", k.pub)
}

// Close logs out and releases the library.
func (k *Key) Close() error {
	if k.ctx == nil {
		return nil
	}
	if k.session != 0 {
		k.ctx.Logout(k.session)
		k.ctx.CloseSession(k.session)
	}
	err := k.ctx.Finalize()
	k.ctx.Destroy()
	k.ctx = nil
	return err
}

// digestInfoPrefixes are the DER DigestInfo headers PKCS#1 v1.5 puts before the digest (RFC 8017 9.2).
var digestInfoPrefixes = map[crypto.Hash][]byte{
	crypto.SHA224:   {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256:   {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384:   {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512:   {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
	crypto.SHA3_256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x08, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA3_384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x09, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA3_512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x0a, 0x05, 0x00, 0x04, 0x40},
}

// Generate creates a key pair inside the token the URI names: the private
// half is sensitive and not extractable, so it can never leave the token.
// The URI's object and id become the label and ID of both halves (a random
// ID when the URI has none). An existing private key with that label or ID
// is refused. keyType is rsa2048, rsa3072, rsa4096, ecdsa-p256 or ecdsa-p384.
func Generate(uri string, opts Options, keyType string) (*Key, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	k, err := open(u, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Redacted(uri), err)
	}
	k.desc = Redacted(uri)
	fail := func(err error) (*Key, error) {
		k.Close()
		return nil, fmt.Errorf("%s: %w", Redacted(uri), err)
	}
	if existing, err := k.find(selector(u, p11.CKO_PRIVATE_KEY)); err != nil {
		return fail(err)
	} else if len(existing) > 0 {
		return fail(errors.New("the token already holds a private key with this object/id; pick another label, or sign with the existing key"))
	}
	id := []byte(u.Path["id"])
	if len(id) == 0 {
		id = make([]byte, 8)
		rand.Read(id)
	}
	common := func(class uint) []*p11.Attribute {
		a := []*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, class),
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_ID, id),
		}
		if l, ok := u.Path["object"]; ok {
			a = append(a, p11.NewAttribute(p11.CKA_LABEL, l))
		}
		return a
	}
	pub := append(common(p11.CKO_PUBLIC_KEY), p11.NewAttribute(p11.CKA_VERIFY, true))
	priv := append(common(p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
	)
	var mech *p11.Mechanism
	switch keyType {
	case "rsa2048", "rsa3072", "rsa4096":
		bits, _ := strconv.Atoi(strings.TrimPrefix(keyType, "rsa"))
		mech = p11.NewMechanism(p11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)
		pub = append(pub, p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA),
			p11.NewAttribute(p11.CKA_MODULUS_BITS, bits),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}))
		priv = append(priv, p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA))
	case "ecdsa-p256", "ecdsa-p384":
		oid := oidP256
		if keyType == "ecdsa-p384" {
			oid = oidP384
		}
		params, _ := asn1.Marshal(oid)
		mech = p11.NewMechanism(p11.CKM_EC_KEY_PAIR_GEN, nil)
		pub = append(pub, p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC), p11.NewAttribute(p11.CKA_EC_PARAMS, params))
		priv = append(priv, p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC))
	default:
		return fail(fmt.Errorf("key type %q cannot be generated in a token (rsa2048, rsa3072, rsa4096, ecdsa-p256, ecdsa-p384)", keyType))
	}
	if _, _, err := k.ctx.GenerateKeyPair(k.session, []*p11.Mechanism{mech}, pub, priv); err != nil {
		return fail(fmt.Errorf("C_GenerateKeyPair: %w", err))
	}
	// Find the new key through the same URI (with the generated ID).
	if _, ok := u.Path["id"]; !ok {
		u.Path["id"] = string(id)
	}
	if err := k.findKey(u); err != nil {
		return fail(err)
	}
	return k, nil
}

// StoreCertificate writes a certificate into the token next to the key (same
// label and ID), so that `modsign sign --key URI` finds it without --cert.
func (k *Key) StoreCertificate(der []byte) error {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	id, _ := k.attr(k.priv, p11.CKA_ID)
	label, _ := k.attr(k.priv, p11.CKA_LABEL)
	_, err = k.ctx.CreateObject(k.session, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_ID, id),
		p11.NewAttribute(p11.CKA_LABEL, label),
		p11.NewAttribute(p11.CKA_SUBJECT, c.RawSubject),
		p11.NewAttribute(p11.CKA_ISSUER, c.RawIssuer),
		p11.NewAttribute(p11.CKA_VALUE, der),
	})
	if err != nil {
		return fmt.Errorf("%s: storing the certificate: %w", k.desc, err)
	}
	k.cert = c
	return nil
}

// Extractable reports the key's CKA_EXTRACTABLE and CKA_SENSITIVE attributes.
func (k *Key) Extractable() (extractable, sensitive bool, err error) {
	e, err := k.attr(k.priv, p11.CKA_EXTRACTABLE)
	if err != nil {
		return false, false, err
	}
	s, err := k.attr(k.priv, p11.CKA_SENSITIVE)
	if err != nil {
		return false, false, err
	}
	return !bytes.Equal(e, []byte{0}), !bytes.Equal(s, []byte{0}), nil
}

func pctEncode(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		fmt.Fprintf(&sb, "%%%02x", c)
	}
	return sb.String()
}
