//go:build !cgo

package pkcs11

import (
	"crypto"
	"crypto/x509"
	"errors"
	"io"
)

// Available reports whether this build can talk to tokens (it needs cgo).
const Available = false

var errNoCgo = errors.New("this modsign was built without cgo (CGO_ENABLED=0), so it cannot load a PKCS#11 library; rebuild it with cgo")

// Options say where the token library and the PIN come from when the URI
// does not carry them.
type Options struct {
	ModulePath string
	PIN        *string
}

// ErrNeedPIN is returned when the token requires a login and no PIN was given.
var ErrNeedPIN = errors.New("the token requires a PIN and none was given")

// ErrWrongPIN is returned when the token refuses the PIN.
var ErrWrongPIN = errors.New("the token refused the PIN")

// Key is a private key in a token; without cgo none can be opened.
type Key struct{}

// Open always fails without cgo.
func Open(uri string, opts Options) (*Key, error) { return nil, errNoCgo }

// Generate always fails without cgo.
func Generate(uri string, opts Options, keyType string) (*Key, error) { return nil, errNoCgo }

func (k *Key) Public() crypto.PublicKey                                  { return nil }
func (k *Key) Certificate() *x509.Certificate                            { return nil }
func (k *Key) String() string                                            { return "" }
func (k *Key) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, errNoCgo }
func (k *Key) Close() error                                              { return nil }
func (k *Key) StoreCertificate([]byte) error                             { return errNoCgo }
func (k *Key) Extractable() (extractable, sensitive bool, err error)     { return false, false, errNoCgo }
