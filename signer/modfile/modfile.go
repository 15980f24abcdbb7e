// Package modfile reads a kernel module file as the kernel checks it.
//
// Distributions ship modules compressed: Debian since 6.x and Fedora as .ko.xz, Ubuntu and
// Arch as .ko.zst, some as .ko.gz. The signature is appended to the uncompressed module before
// it is compressed (Kbuild's modules_install signs, then compresses), and the kernel checks it
// after decompressing: in the kernel (CONFIG_MODULE_DECOMPRESS, kernel/module/decompress.c:
// gzip and xz since 5.17, zstd since 6.2) or in kmod before finit_module. So the verdict on a
// compressed module is the verdict on its decompressed content, and signing one in place (as
// sign-file would, appending to the compressed bytes) makes a file no kernel can load.
//
// gzip comes from the standard library; xz from github.com/ulikunitz/xz and zstd from
// github.com/klauspost/compress/zstd, the pure-Go decoders the Go ecosystem uses (the standard
// library has neither).
package modfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression names a module file's compression as kmod and Kbuild do
// (CONFIG_MODULE_COMPRESS_GZIP/XZ/ZSTD).
type Compression string

// The compressions the kernel and kmod decompress.
const (
	None Compression = ""
	Gzip Compression = "gzip"
	XZ   Compression = "xz"
	Zstd Compression = "zstd"
)

// MaxSize bounds a decompressed module (the largest module of a distribution kernel is a few
// tens of MiB; amdgpu.ko is about 30 MiB). A larger output is refused, not read to the end.
const MaxSize = 1 << 30

// Detect tells a module's compression from its first bytes.
func Detect(data []byte) Compression {
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return Gzip
	case bytes.HasPrefix(data, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return XZ
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd
	}
	return None
}

// Decompress returns the module the kernel checks: data itself when it is not compressed.
func Decompress(data []byte) ([]byte, Compression, error) {
	c := Detect(data)
	var r io.Reader
	switch c {
	case None:
		return data, None, nil
	case Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, c, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(false)
		r = zr
	case XZ:
		xr, err := xz.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, c, fmt.Errorf("xz: %w", err)
		}
		r = xr
	case Zstd:
		zr, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxSize))
		if err != nil {
			return nil, c, fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	out, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, c, fmt.Errorf("%s: %w", c, err)
	}
	if len(out) > MaxSize {
		return nil, c, fmt.Errorf("%s: decompresses to more than %d bytes", c, MaxSize)
	}
	return out, c, nil
}

// Read reads a module file and decompresses it; errors name the file.
func Read(path string) ([]byte, Compression, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, None, err
	}
	data, c, err := Decompress(raw)
	if err != nil {
		return nil, c, fmt.Errorf("%s: not a valid %s-compressed module: %w", path, c, err)
	}
	return data, c, nil
}

// ErrCompressed is returned by RefuseCompressed.
var ErrCompressed = errors.New("module is compressed")

// RefuseCompressed returns an error naming path when data is a compressed module: signing
// appends to the uncompressed module, which is compressed afterwards.
func RefuseCompressed(path string, data []byte) error {
	c := Detect(data)
	if c == None {
		return nil
	}
	return fmt.Errorf("%s: %w (%s): the kernel checks the signature of the decompressed module, so sign the uncompressed .ko and compress it afterwards (e.g. unxz/unzstd/gunzip first, as Kbuild's modules_install signs before it compresses)", path, ErrCompressed, c)
}

// ReadUncompressed reads a module that a signature is to be written for or computed over,
// refusing a compressed one (see RefuseCompressed).
func ReadUncompressed(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := RefuseCompressed(path, data); err != nil {
		return nil, err
	}
	return data, nil
}
