package sign

import (
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"

	"crypto/x509/pkix"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// SigInfo holds the signature fields kmod's modinfo shows.
type SigInfo struct {
	SigID     string // "PKCS#7", "X509" or "PGP"
	Signer    string
	KeyID     []byte // sig_key: the serial number (or SKID, see BySKID)
	HashAlgo  string
	Signature []byte
	// BySKID is set for signatures that name the signer by
	// subjectKeyIdentifier (sign-file -k). kmod 30 cannot decode those and
	// modinfo prints no signature fields at all for them; modsign shows the
	// SKID as sig_key and an empty signer.
	BySKID bool
}

// kmod's tables (libkmod-signature.c).
var (
	kmodHashAlgos = []string{"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3"}
	kmodIDTypes   = []string{"PGP", "X509", "PKCS#7"}
)

// opensslLongNames are OBJ_obj2txt() names of the digests kmod prints.
var opensslLongNames = map[string]string{
	"sha1": "sha1", "sha224": "sha224", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512",
	"sha3-256": "sha3-256", "sha3-384": "sha3-384", "sha3-512": "sha3-512",
}

// ReadSigInfo extracts the signature fields the way kmod's
// kmod_module_signature_info() does (with OpenSSL support). ok is false when
// modinfo would show no signature fields.
func ReadSigInfo(data []byte) (info *SigInfo, ok bool) {
	size := len(data)
	if size < len(modsig.Magic) || !modsig.HasMarker(data) {
		return nil, false
	}
	size -= len(modsig.Magic)
	if size < modsig.TrailerSize {
		return nil, false
	}
	size -= modsig.TrailerSize
	t, _ := modsig.ParseTrailer(data[size : size+modsig.TrailerSize])
	if t.Algo >= 2 || int(t.Hash) >= len(kmodHashAlgos) || int(t.IDType) >= len(kmodIDTypes) {
		return nil, false
	}
	sigLen := int64(binary.BigEndian.Uint32(data[size+8:]))
	if sigLen == 0 || int64(size) < sigLen+int64(t.SignerLen)+int64(t.KeyIDLen) {
		return nil, false
	}
	if t.IDType != modsig.IDTypePKCS7 {
		// fill_default: the pre-PKCS#7 layout.
		end := size - int(sigLen)
		si := &SigInfo{SigID: kmodIDTypes[t.IDType], Signature: data[end:size], HashAlgo: kmodHashAlgos[t.Hash]}
		kid := end - int(t.KeyIDLen)
		si.KeyID = data[kid:end]
		si.Signer = string(data[kid-int(t.SignerLen) : kid])
		return si, true
	}
	msg, err := cms.Parse(data[size-int(sigLen) : size])
	if err != nil {
		return nil, false
	}
	s := msg.Signers[0]
	si := &SigInfo{SigID: "PKCS#7", Signature: s.Signature}
	if h, ok := cms.HashByOID(s.DigestAlgorithm); ok {
		si.HashAlgo = opensslLongNames[h.Name]
	} else {
		si.HashAlgo = s.DigestAlgorithm.String()
	}
	if s.SID.IsSKID() {
		si.BySKID = true
		si.KeyID = s.SID.SKID
		return si, true
	}
	si.Signer = kmodName(s.SID.RawIssuer)
	// ASN1_INTEGER_to_BN + BN_bn2bin: the magnitude without leading zeros.
	v := new(big.Int).SetBytes(s.SID.RawSerial)
	if len(s.SID.RawSerial) > 0 && s.SID.RawSerial[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(s.SID.RawSerial))))
	}
	si.KeyID = new(big.Int).Abs(v).Bytes()
	return si, true
}

// kmodName mirrors kmod's x509_name_to_str(): the value of the first CN, or
// (a quirk of its loop) the value of the last entry when there is no CN.
func kmodName(raw []byte) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdns); err != nil {
		return ""
	}
	var last string
	for _, set := range rdns {
		for _, atv := range set {
			s := fmt.Sprint(atv.Value)
			if atv.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 3}) {
				return s
			}
			last = s
		}
	}
	return last
}

// KmodHex formats bytes as kmod does: upper-case hex pairs joined by ':',
// 20 bytes per line, continuation lines indented by two tabs.
func KmodHex(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		fmt.Fprintf(&sb, "%02X", c)
		if i < len(b)-1 {
			sb.WriteByte(':')
			if (i+1)%20 == 0 {
				sb.WriteString("\n\t\t")
			}
		}
	}
	return sb.String()
}

// ModinfoLines renders the fields exactly as `modinfo` prints them.
func (si *SigInfo) ModinfoLines() string {
	var sb strings.Builder
	field := func(k, v string) { fmt.Fprintf(&sb, "%-16s%s\n", k+":", v) }
	field("sig_id", si.SigID)
	field("signer", si.Signer)
	field("sig_key", KmodHex(si.KeyID))
	field("sig_hashalgo", si.HashAlgo)
	field("signature", KmodHex(si.Signature))
	return sb.String()
}
