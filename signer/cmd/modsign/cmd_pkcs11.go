package main

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/pkcs11"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

// pkcs11ModuleEnv names the PKCS#11 library when neither the URI's
// module-path nor --pkcs11-module does; PKCS11_PROVIDER_MODULE, which
// OpenSSL's pkcs11-provider reads for sign-file, is the fallback.
var pkcs11ModuleEnv = []string{"MODSIGN_PKCS11_MODULE", "PKCS11_PROVIDER_MODULE"}

// tokenOptions resolves the library and PIN for a token key: the URI's own
// attributes win, then --pkcs11-module / the environment, then --pin-file /
// $KBUILD_SIGN_PIN.
func tokenOptions(e *env, modulePath string, pin *keys.PIN) pkcs11.Options {
	o := pkcs11.Options{ModulePath: modulePath}
	if o.ModulePath == "" {
		for _, v := range pkcs11ModuleEnv {
			if p, ok := e.getenv(v); ok && p != "" {
				o.ModulePath = p
				break
			}
		}
	}
	if pin != nil {
		s := string(pin.Value)
		o.PIN = &s
	}
	return o
}

// loadTokenKey opens a key in a PKCS#11 token. The certificate comes from
// certPath, or from the token (an X.509 object with the key's ID or label)
// when certPath is empty or the URI itself.
func loadTokenKey(e *env, uri, certPath, modulePath string, pin *keys.PIN) (crypto.Signer, *x509.Certificate, error) {
	k, err := pkcs11.Open(uri, tokenOptions(e, modulePath, pin))
	if err != nil {
		switch {
		case errors.Is(err, pkcs11.ErrNeedPIN):
			return nil, nil, withHint(err, "set KBUILD_SIGN_PIN, pass --pin-file FILE, or add pin-source=/path/to/pin to the URI")
		case errors.Is(err, pkcs11.ErrWrongPIN):
			return nil, nil, withHint(err, "check the PIN in KBUILD_SIGN_PIN, --pin-file or the URI")
		}
		return nil, nil, withHint(err, "--key takes a PEM or DER key file, or an RFC 7512 URI such as 'pkcs11:token=LABEL;object=KEY?module-path=/usr/lib/softhsm/libsofthsm2.so'")
	}
	if certPath == "" || certPath == uri {
		if c := k.Certificate(); c != nil {
			return k, c, nil
		}
		k.Close()
		return nil, nil, withHint(fmt.Errorf("%s: the token holds no certificate for the key", k), "pass --cert CERT (the key's X.509 certificate)")
	}
	cert, err := keys.LoadCertificate(certPath)
	if err != nil {
		k.Close()
		return nil, nil, withHint(err, "--cert takes a PEM or DER X.509 certificate")
	}
	return k, cert, nil
}

// keygenToken generates a key pair inside a token (sensitive, not
// extractable) and writes its self-signed certificate, signed by the token.
func keygenToken(e *env, uri, keyType, modulePath, pinFile string, store bool, certOut, derOut string, opts keys.CertOptions) error {
	pin, err := loadPIN(e, pinFile)
	if err != nil {
		return err
	}
	k, err := pkcs11.Generate(uri, tokenOptions(e, modulePath, pin), keyType)
	if err != nil {
		if errors.Is(err, pkcs11.ErrNeedPIN) {
			return withHint(err, "set KBUILD_SIGN_PIN or pass --pin-file FILE with the token's user PIN")
		}
		return fmt.Errorf("keygen: %w", err)
	}
	defer k.Close()
	der, err := keys.SelfSign(k, opts, rand.Reader)
	if err != nil {
		return fmt.Errorf("keygen: signing the certificate in %s: %w", k, err)
	}
	if store {
		if err := k.StoreCertificate(der); err != nil {
			return err
		}
	}
	if err := sign.WriteFileAtomic(certOut, keys.MarshalCertPEM(der), 0o644); err != nil {
		return err
	}
	if derOut != "" {
		return sign.WriteFileAtomic(derOut, der, 0o644)
	}
	return nil
}
