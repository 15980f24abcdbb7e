// Package keys loads the private keys and X.509 certificates that module
// signing uses, the way scripts/sign-file accepts them (PEM or DER, PKCS#1,
// PKCS#8 or SEC 1, optionally encrypted, or one combined PEM file holding the
// key and the certificate), and generates new signing keys equivalent to the
// kernel's x509.genkey.
package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rules-modsign/rules_modsign/signer/mldsa"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrNeedPIN is returned when a key is encrypted and no PIN was supplied.
var ErrNeedPIN = errors.New("private key is encrypted and no PIN was given")

// ErrWrongPIN is returned when the PIN does not decrypt the key.
var ErrWrongPIN = errors.New("wrong PIN: the private key could not be decrypted")

// PIN carries the passphrase of an encrypted key. A nil *PIN means none was given.
type PIN struct{ Value []byte }

// isPEM reports whether data looks like PEM text rather than DER.
func isPEM(data []byte) bool {
	return bytes.Contains(data, []byte("-----BEGIN "))
}

// LoadSigner reads a private key from path. The file may be PEM (any of
// "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
// or a legacy Proc-Type encrypted block; other blocks such as certificates are
// skipped, so a combined kernel_key.pem works) or DER (PKCS#8, PKCS#1 or SEC 1).
func LoadSigner(path string, pin *PIN) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading private key: %w", err)
	}
	k, err := ParseSigner(data, pin)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	return k, nil
}

// ParseSigner parses a private key from PEM or DER bytes.
func ParseSigner(data []byte, pin *PIN) (crypto.Signer, error) {
	if strings.HasPrefix(string(data), "pkcs11:") {
		return nil, errors.New("PKCS#11 URIs are not supported; export the key to a PEM file")
	}
	if !isPEM(data) {
		if k, err := parseDERKey(data); err == nil {
			return k, nil
		}
		if k, err := parseEncryptedPKCS8(data, pin); err == nil || errors.Is(err, ErrNeedPIN) || errors.Is(err, ErrWrongPIN) {
			return k, err
		}
		return nil, errors.New("not a PEM file and not a DER private key (PKCS#8, PKCS#1 or SEC 1)")
	}
	rest := data
	sawKey := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			sawKey = true
			der := block.Bytes
			//nolint:staticcheck // legacy OpenSSL "Proc-Type: 4,ENCRYPTED" keys are still produced by openssl genrsa -traditional.
			if x509.IsEncryptedPEMBlock(block) {
				if pin == nil {
					return nil, ErrNeedPIN
				}
				//nolint:staticcheck // see above
				d, err := x509.DecryptPEMBlock(block, pin.Value)
				if err != nil {
					return nil, ErrWrongPIN
				}
				der = d
			}
			k, err := parseDERKey(der)
			if err != nil {
				return nil, fmt.Errorf("PEM block %q: %w", block.Type, err)
			}
			return k, nil
		case "ENCRYPTED PRIVATE KEY":
			return parseEncryptedPKCS8(block.Bytes, pin)
		}
	}
	if sawKey {
		return nil, errors.New("no usable private key")
	}
	return nil, errors.New("no private key found in PEM file (expected a \"PRIVATE KEY\", \"RSA PRIVATE KEY\", \"EC PRIVATE KEY\" or \"ENCRYPTED PRIVATE KEY\" block)")
}

func parseDERKey(der []byte) (crypto.Signer, error) {
	if k, err := mldsa.ParsePKCS8(der); err == nil {
		return k, nil
	} else if !errors.Is(err, mldsa.ErrNotMLDSA) {
		return nil, err
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return k, nil
		case *ecdsa.PrivateKey:
			return k, nil
		case ed25519.PrivateKey:
			return nil, errors.New("Ed25519 keys cannot sign kernel modules (Linux accepts RSA and ECDSA)")
		default:
			return nil, fmt.Errorf("unsupported private key type %T", k)
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not a PKCS#8, PKCS#1 or SEC 1 private key")
}

// LoadCertificate reads the first X.509 certificate from a PEM or DER file,
// like sign-file's read_x509 does.
func LoadCertificate(path string) (*x509.Certificate, error) {
	certs, err := LoadCertificates(path)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

// LoadCertificates reads every X.509 certificate from a PEM file (other
// blocks, such as a private key in a combined file, are skipped) or the one
// certificate of a DER file.
func LoadCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading certificate: %w", err)
	}
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", path, err)
	}
	return certs, nil
}

// ParseCertificates parses all certificates in PEM data, or one DER certificate.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if len(data) == 0 {
		return nil, errors.New("file is empty")
	}
	if !isPEM(data) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("not a PEM file and not a DER X.509 certificate: %w", err)
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate #%d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no \"CERTIFICATE\" PEM block found")
	}
	return out, nil
}

// CheckMatch refuses a key that does not belong to the certificate.
func CheckMatch(key crypto.Signer, cert *x509.Certificate) error {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	certPub := cert.PublicKey
	if certPub == nil { // crypto/x509 leaves ML-DSA keys out
		if p, err := mldsa.CertPublicKey(cert); err == nil {
			certPub = p
		}
	}
	if !ok || !pub.Equal(certPub) {
		return fmt.Errorf("the certificate (%q, serial %X) holds a different public key", cert.Subject.CommonName, cert.SerialNumber)
	}
	return nil
}

// RawSerial returns the content octets of the certificate's serialNumber
// INTEGER, exactly as encoded (the kernel and OpenSSL compare these bytes).
func RawSerial(cert *x509.Certificate) ([]byte, error) {
	tbs := cryptobyte.String(cert.RawTBSCertificate)
	var inner cryptobyte.String
	if !tbs.ReadASN1(&inner, cbasn1.SEQUENCE) {
		return nil, errors.New("malformed TBSCertificate")
	}
	if !inner.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("malformed TBSCertificate version")
	}
	var serial cryptobyte.String
	if !inner.ReadASN1(&serial, cbasn1.INTEGER) {
		return nil, errors.New("malformed TBSCertificate serialNumber")
	}
	return []byte(serial), nil
}

// KeyDescription returns the description Linux gives the key in its keyring
// ("<name>: <SKID or serial hex>"), as x509_key_preparse builds it.
func KeyDescription(cert *x509.Certificate) string {
	name := KernelName(cert)
	id := cert.SubjectKeyId
	if len(id) == 0 {
		id, _ = RawSerial(cert)
	}
	return fmt.Sprintf("%s: %x", name, id)
}

// KernelName mirrors x509_fabricate_name(): the CN, or "O: CN" when the CN
// does not begin with the organisation, or the O, or the email address.
func KernelName(cert *x509.Certificate) string {
	cn := cert.Subject.CommonName
	var o, email string
	if len(cert.Subject.Organization) > 0 {
		o = cert.Subject.Organization[len(cert.Subject.Organization)-1]
	}
	for _, n := range cert.Subject.Names {
		if n.Type.Equal([]int{1, 2, 840, 113549, 1, 9, 1}) {
			if s, ok := n.Value.(string); ok {
				email = s
			}
		}
	}
	switch {
	case cn == "" && o == "" && email == "":
		return ""
	case cn != "" && o != "":
		if len(cn) >= 7 && len(o) >= 7 && strings.HasPrefix(cn, o) {
			return cn
		}
		return o + ": " + cn
	case cn != "":
		return cn
	case o != "":
		return o
	default:
		return email
	}
}

// HoldsPrivateKey reports whether data holds a private key: a PEM block of
// any "... PRIVATE KEY" type, or a DER PKCS#1, PKCS#8 or SEC 1 private key.
func HoldsPrivateKey(data []byte) bool {
	if isPEM(data) {
		rest := data
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				return false
			}
			if strings.Contains(block.Type, "PRIVATE KEY") {
				return true
			}
		}
	}
	if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(data)
	return err == nil
}
