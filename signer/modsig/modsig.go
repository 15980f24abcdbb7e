// Package modsig implements the Linux kernel's appended module signature
// format: MODULE || PKCS#7 || struct module_signature || "~Module signature appended~\n".
//
// The layout and the sanity rules mirror include/linux/module_signature.h and
// kernel/module_signature.c (mod_check_sig) of Linux 6.1.
package modsig

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Magic is the marker the kernel looks for at the very end of a signed module.
const Magic = "~Module signature appended~\n"

// TrailerSize is sizeof(struct module_signature).
const TrailerSize = 12

// Key identifier types (enum pkey_id_type).
const (
	IDTypePGP   = 0
	IDTypeX509  = 1
	IDTypePKCS7 = 2
)

// Trailer is struct module_signature.
type Trailer struct {
	Algo      uint8   // public-key algorithm; 0 for PKCS#7
	Hash      uint8   // digest algorithm; 0 for PKCS#7
	IDType    uint8   // key identifier type; IDTypePKCS7
	SignerLen uint8   // 0 for PKCS#7
	KeyIDLen  uint8   // 0 for PKCS#7
	Pad       [3]byte // must be zero
	SigLen    uint32  // length of the signature data, big endian on disk
}

// PKCS7Trailer returns the trailer sign-file writes for a PKCS#7 signature of sigLen bytes.
func PKCS7Trailer(sigLen int) Trailer {
	return Trailer{IDType: IDTypePKCS7, SigLen: uint32(sigLen)}
}

// Marshal encodes the trailer in its on-disk form.
func (t Trailer) Marshal() []byte {
	b := make([]byte, TrailerSize)
	b[0], b[1], b[2], b[3], b[4] = t.Algo, t.Hash, t.IDType, t.SignerLen, t.KeyIDLen
	copy(b[5:8], t.Pad[:])
	binary.BigEndian.PutUint32(b[8:], t.SigLen)
	return b
}

// ParseTrailer decodes the 12 on-disk bytes of a struct module_signature.
func ParseTrailer(b []byte) (Trailer, error) {
	if len(b) != TrailerSize {
		return Trailer{}, fmt.Errorf("module_signature trailer is %d bytes, want %d", len(b), TrailerSize)
	}
	var t Trailer
	t.Algo, t.Hash, t.IDType, t.SignerLen, t.KeyIDLen = b[0], b[1], b[2], b[3], b[4]
	copy(t.Pad[:], b[5:8])
	t.SigLen = binary.BigEndian.Uint32(b[8:])
	return t, nil
}

// Errors returned by Split; each names the kernel errno it corresponds to.
var (
	// ErrUnsigned: no signature marker at the end of the file (kernel: ENODATA).
	ErrUnsigned = errors.New("no appended signature (no \"~Module signature appended~\" marker at end of file)")
	// ErrBadTrailer: the trailer is malformed (kernel: EBADMSG).
	ErrBadTrailer = errors.New("corrupt module_signature trailer")
	// ErrNotPKCS7: the trailer's id_type is not PKCS#7 (kernel: ENOPKG).
	ErrNotPKCS7 = errors.New("signature is not a PKCS#7 message (id_type != 2)")
)

// Signed is a module split into its parts.
type Signed struct {
	Module    []byte  // the module without the signature
	Signature []byte  // the raw signature data (a DER PKCS#7 message)
	Trailer   Trailer // the decoded trailer
}

// HasMarker reports whether data ends with the signature marker.
func HasMarker(data []byte) bool {
	return len(data) >= len(Magic) && bytes.HasSuffix(data, []byte(Magic))
}

// Split separates an appended signature from a module, applying the kernel's
// mod_check_sig rules. It returns ErrUnsigned (wrapped) when there is no marker.
// The returned slices alias data.
func Split(data []byte) (*Signed, error) {
	if !HasMarker(data) {
		return nil, ErrUnsigned
	}
	rest := len(data) - len(Magic)
	if rest <= TrailerSize {
		return nil, fmt.Errorf("%w: file too short for a trailer (%d bytes before the marker)", ErrBadTrailer, rest)
	}
	t, err := ParseTrailer(data[rest-TrailerSize : rest])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTrailer, err)
	}
	// mod_check_sig: sig_len >= file_len - sizeof(ms) is EBADMSG.
	if uint64(t.SigLen) >= uint64(rest-TrailerSize) {
		return nil, fmt.Errorf("%w: sig_len %d is larger than the %d bytes before it", ErrBadTrailer, t.SigLen, rest-TrailerSize)
	}
	if t.IDType != IDTypePKCS7 {
		return nil, fmt.Errorf("%w: id_type is %d", ErrNotPKCS7, t.IDType)
	}
	if t.Algo != 0 || t.Hash != 0 || t.SignerLen != 0 || t.KeyIDLen != 0 || t.Pad != [3]byte{} {
		return nil, fmt.Errorf("%w: PKCS#7 signature info has unexpected non-zero params (algo=%d hash=%d signer_len=%d key_id_len=%d pad=%x)",
			ErrBadTrailer, t.Algo, t.Hash, t.SignerLen, t.KeyIDLen, t.Pad[:])
	}
	modEnd := rest - TrailerSize - int(t.SigLen)
	return &Signed{Module: data[:modEnd], Signature: data[modEnd : rest-TrailerSize], Trailer: t}, nil
}

// Append returns module || sig || trailer || magic, exactly as sign-file writes it.
func Append(module, sig []byte) []byte {
	out := make([]byte, 0, len(module)+len(sig)+TrailerSize+len(Magic))
	out = append(out, module...)
	out = append(out, sig...)
	out = append(out, PKCS7Trailer(len(sig)).Marshal()...)
	out = append(out, Magic...)
	return out
}

// ELF constants used by CheckELF.
const (
	elfClass32  = 1
	elfClass64  = 2
	elfData2LSB = 1
	elfData2MSB = 2
	etRel       = 1
)

// CheckELF verifies that data looks like a loadable kernel module: an ELF
// relocatable object (ET_REL) whose section header table lies inside the
// file. It catches non-ELF input, empty files and truncated modules without
// parsing the whole object.
func CheckELF(data []byte) error {
	if len(data) == 0 {
		return errors.New("file is empty")
	}
	if len(data) < 16 || !bytes.Equal(data[:4], []byte("\x7fELF")) {
		return errors.New("not an ELF file (no \\x7fELF magic); a kernel module is an ELF relocatable object (.ko)")
	}
	var bo binary.ByteOrder
	switch data[5] {
	case elfData2LSB:
		bo = binary.LittleEndian
	case elfData2MSB:
		bo = binary.BigEndian
	default:
		return fmt.Errorf("ELF header has invalid data encoding %d", data[5])
	}
	var ehsize int
	switch data[4] {
	case elfClass32:
		ehsize = 52
	case elfClass64:
		ehsize = 64
	default:
		return fmt.Errorf("ELF header has invalid class %d", data[4])
	}
	if len(data) < ehsize {
		return fmt.Errorf("truncated ELF header: %d bytes, want at least %d", len(data), ehsize)
	}
	if t := bo.Uint16(data[16:]); t != etRel {
		return fmt.Errorf("ELF type is %d, not ET_REL (1): kernel modules are relocatable objects", t)
	}
	var shoff uint64
	var shentsize, shnum uint16
	if data[4] == elfClass64 {
		shoff = bo.Uint64(data[40:])
		shentsize = bo.Uint16(data[58:])
		shnum = bo.Uint16(data[60:])
	} else {
		shoff = uint64(bo.Uint32(data[32:]))
		shentsize = bo.Uint16(data[46:])
		shnum = bo.Uint16(data[48:])
	}
	if shnum == 0 || shoff == 0 {
		return errors.New("ELF file has no section headers")
	}
	end := shoff + uint64(shentsize)*uint64(shnum)
	if end > uint64(len(data)) {
		return fmt.Errorf("truncated module: section header table ends at byte %d but the file has only %d bytes", end, len(data))
	}
	return nil
}

// Arch describes the ELF identity of a kernel architecture's modules.
type Arch struct {
	Name    string
	Class   elf.Class
	Data    elf.Data
	Machine elf.Machine
}

// arches are the architectures CheckModule knows, by the names the kernel
// (ARCH=) and Debian use.
var arches = []Arch{
	{"x86_64", elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_X86_64},
	{"i386", elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_386},
	{"arm64", elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_AARCH64},
	{"arm", elf.ELFCLASS32, elf.ELFDATA2LSB, elf.EM_ARM},
	{"riscv64", elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_RISCV},
	{"ppc64le", elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_PPC64},
	{"ppc64", elf.ELFCLASS64, elf.ELFDATA2MSB, elf.EM_PPC64},
	{"s390x", elf.ELFCLASS64, elf.ELFDATA2MSB, elf.EM_S390},
	{"loongarch64", elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_LOONGARCH},
	{"mips64el", elf.ELFCLASS64, elf.ELFDATA2LSB, elf.EM_MIPS},
}

// archAliases maps other spellings (GOARCH, uname -m, Debian) to the names above.
var archAliases = map[string]string{
	"amd64": "x86_64", "x86-64": "x86_64", "x86": "i386", "386": "i386", "i686": "i386",
	"aarch64": "arm64", "armhf": "arm", "armel": "arm", "riscv": "riscv64", "ppc64el": "ppc64le",
	"s390": "s390x", "loong64": "loongarch64", "mips64le": "mips64el",
}

// LookupArch returns the ELF identity of an architecture name ("x86_64",
// "arm64", "amd64", "aarch64", ...).
func LookupArch(name string) (Arch, error) {
	if a, ok := archAliases[name]; ok {
		name = a
	}
	var names []string
	for _, a := range arches {
		if a.Name == name {
			return a, nil
		}
		names = append(names, a.Name)
	}
	return Arch{}, fmt.Errorf("unknown architecture %q (known: %s)", name, strings.Join(names, ", "))
}

// CheckModule checks that data is a kernel module for arch: an ELF
// relocatable object (CheckELF) of the architecture's class, byte order and
// machine, with a .modinfo section (what modpost gives every module; an
// ordinary .o has none, and the kernel refuses a module without one).
func CheckModule(data []byte, arch Arch) error {
	if err := CheckELF(data); err != nil {
		return err
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not a readable ELF object: %w", err)
	}
	if f.Class != arch.Class || f.Data != arch.Data || f.Machine != arch.Machine {
		return fmt.Errorf("the module is an %s %s %s object, but the target architecture is %s (%s %s %s); pass --arch to sign for another architecture",
			f.Class, f.Data, f.Machine, arch.Name, arch.Class, arch.Data, arch.Machine)
	}
	if f.Section(".modinfo") == nil {
		return errors.New("not a kernel module: the ELF object has no .modinfo section (build it with Kbuild, `make -C KDIR M=DIR modules`, and sign the .ko, not the .o)")
	}
	return nil
}
