// Command gazelle_kbuild is Gazelle with only the kbuild language, built
// with "go build" for use outside Bazel (tools/gazelle/realtree.sh runs it
// over real kernel trees). It takes Gazelle's usual flags; the workspace is
// $BUILD_WORKSPACE_DIRECTORY or the current directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/bazel-contrib/bazel-gazelle/v2/cmd/gazelle/update"
	"github.com/bazelbuild/bazel-gazelle/language"
	"github.com/rules-modsign/rules_modsign/tools/gazelle/kbuild"
)

func main() {
	log.SetPrefix("gazelle: ")
	log.SetFlags(0)
	wd := os.Getenv("BUILD_WORKSPACE_DIRECTORY")
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			fmt.Fprintf(os.Stderr, "gazelle: %v\n", err)
			os.Exit(1)
		}
	}
	err := update.Run(context.Background(), []language.Language{kbuild.NewLanguage()}, wd, os.Args[1:])
	if err != nil {
		if !errors.Is(err, update.ErrDiff) {
			fmt.Fprintf(os.Stderr, "gazelle: %v\n", err)
		}
		if !errors.Is(err, flag.ErrHelp) {
			os.Exit(1)
		}
	}
}
