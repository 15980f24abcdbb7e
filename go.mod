module github.com/rules-modsign/rules_modsign

go 1.26.0

require (
	github.com/bazelbuild/bazel-gazelle v0.54.0 // indirect
	go.mozilla.org/pkcs7 v0.10.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
