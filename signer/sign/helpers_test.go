package sign

import (
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/internal/oracle"
	"github.com/rules-modsign/rules_modsign/signer/keys"
)

// signFile is Debian's build of the kernel's scripts/sign-file (package linux-kbuild-6.1).
const signFile = "/usr/lib/linux-kbuild-6.1/scripts/sign-file"

const kbuildInstall = "`apt-get install linux-kbuild-6.1` (Debian bookworm)"

func requireOracle(t testing.TB) string {
	t.Helper()
	return oracle.Find(t, signFile, kbuildInstall)
}

func requireTool(t testing.TB, name string) string {
	t.Helper()
	return oracle.Find(t, name, "`apt-get install "+name+"`")
}

func keyPath(name string) string { return filepath.Join("..", "testdata", "keys", name) }

func loadKey(t testing.TB, name string) (crypto.Signer, *x509.Certificate) {
	t.Helper()
	k, err := keys.LoadSigner(keyPath(name), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := keys.LoadCertificate(keyPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return k, c
}

const testModule = "../testdata/modules/nhc_hop.ko"

// realModules returns the checked-in module plus, when the Debian package has
// been fetched (signer/testdata/fetch-modules.sh), an evenly spread sample of n of its modules.
func realModules(t testing.TB, n int) []string {
	t.Helper()
	mods := []string{testModule}
	dir := os.Getenv("MODSIGN_TEST_MODULES")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".cache", "rules_modsign", "debian-modules")
		}
	}
	var all []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".ko" {
			all = append(all, p)
		}
		return nil
	})
	if len(all) == 0 {
		t.Logf("only the checked-in module is used; run signer/testdata/fetch-modules.sh for more real modules")
		return mods
	}
	sort.Strings(all)
	for i := 0; i < n && i < len(all); i++ {
		mods = append(mods, all[(i*len(all))/n+len(all)/(2*n)])
	}
	return mods
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.WriteFile(dst, mustRead(t, src), 0o644); err != nil {
		t.Fatal(err)
	}
}
