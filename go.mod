module github.com/rules-modsign/rules_modsign

go 1.26.0

require (
	github.com/bazel-contrib/bazel-gazelle/v2 v2.0.0-3
	github.com/bazelbuild/bazel-gazelle v0.54.0
	github.com/cloudflare/circl v1.6.5
	github.com/klauspost/compress v1.20.4
	github.com/miekg/pkcs11 v1.1.2
	github.com/u-root/u-root v0.15.0
	github.com/ulikunitz/xz v0.5.17
	go.mozilla.org/pkcs7 v0.10.0
	golang.org/x/crypto v0.59.0
	golang.org/x/sys v0.50.0
)

require (
	github.com/bazelbuild/buildtools v0.0.0-20250930140053-2eb4fccefb52 // indirect
	github.com/bmatcuk/doublestar/v4 v4.9.1 // indirect
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/pierrec/lz4/v4 v4.1.22 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/u-root/uio v0.0.0-20240224005618-d2acac8f3701 // indirect
	golang.org/x/mod v0.24.0 // indirect
	golang.org/x/tools/go/vcs v0.1.0-deprecated // indirect
)
