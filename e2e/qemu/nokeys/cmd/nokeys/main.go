// Command nokeys fails if any of the given files or directories holds a
// private key (see package nokeys). Usage: nokeys PATH...
package main

import (
	"fmt"
	"os"

	"github.com/rules-modsign/rules_modsign/e2e/qemu/nokeys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nokeys PATH...")
		os.Exit(2)
	}
	fs, err := nokeys.Scan(os.Args[1:]...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nokeys: %v\n", err)
		os.Exit(2)
	}
	for _, f := range fs {
		fmt.Fprintf(os.Stderr, "nokeys: private key: %s\n", f)
	}
	if len(fs) > 0 {
		os.Exit(1)
	}
	fmt.Printf("nokeys: no private key in %d path(s)\n", len(os.Args)-1)
}
