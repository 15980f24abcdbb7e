package sign

import (
	"crypto/x509"
	"fmt"

	"github.com/rules-modsign/rules_modsign/signer/kernel"
)

// Errno is the error a Linux kernel returns from finit_module for a module
// whose signature it does not accept.
type Errno = kernel.Errno

// The errnos module signature checking can produce.
const (
	ENODATA      = kernel.ENODATA
	EBADMSG      = kernel.EBADMSG
	ENOPKG       = kernel.ENOPKG
	ENOKEY       = kernel.ENOKEY
	EKEYREJECTED = kernel.EKEYREJECTED
	EINVAL       = kernel.EINVAL
)

// VerifyError is a refusal, carrying what mod_verify_sig returns (before
// enforcement turns ENODATA, ENOPKG and ENOKEY into EKEYREJECTED) and the
// deciding rule of the kernel profile.
type VerifyError struct {
	Errno  Errno
	Rule   string
	Reason string
}

func (e *VerifyError) Error() string { return fmt.Sprintf("%s [%s]: %s", e.Errno, e.Rule, e.Reason) }

// Verified describes an accepted signature.
type Verified struct {
	Signer *x509.Certificate
	Hash   string
	BySKID bool
}

// Verify checks a signed module against trusted certificates with the rules
// of Linux 6.1 (see VerifyLine).
func Verify(data []byte, trusted []*x509.Certificate) (*Verified, error) {
	return VerifyLine("6.1", data, trusted)
}

// VerifyLine checks a signed module against trusted certificates with the
// rules of the given kernel line (package kernel), with no blacklist.
func VerifyLine(line string, data []byte, trusted []*x509.Certificate) (*Verified, error) {
	p, err := kernel.ForLine(line)
	if err != nil {
		return nil, err
	}
	v := p.Verify(data, p.NewKeyring(trusted, nil))
	if !v.OK {
		return nil, &VerifyError{Errno: v.VerifyErrno, Rule: v.Rule, Reason: v.Reason}
	}
	return &Verified{Signer: v.SignerCert, Hash: v.Hash, BySKID: v.BySKID}, nil
}
