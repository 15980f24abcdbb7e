package kbuild

import (
	"reflect"
	"testing"
)

func TestScanC(t *testing.T) {
	src := `#include <linux/module.h>
#include "local.h"
/* EXPORT_SYMBOL(in_comment); */
// helper_in_line_comment
static const char *s = "EXPORT_SYMBOL(in_string) other_string";
int foo_count;
int foo_add(int x) { return x + 1 + 0x1fULL; }
EXPORT_SYMBOL_GPL(foo_add);
EXPORT_SYMBOL(foo_count);
EXPORT_SYMBOL_NS_GPL(foo_ns, FOO);
static int __init init(void) { return bar_helper('x', '\'') ; }
#define CALL() baz_call()
`
	exports, idents := ScanC([]byte(src))
	if want := []string{"foo_add", "foo_count", "foo_ns"}; !reflect.DeepEqual(exports, want) {
		t.Errorf("exports = %q, want %q", exports, want)
	}
	has := map[string]bool{}
	for _, id := range idents {
		has[id] = true
	}
	for _, id := range []string{"bar_helper", "baz_call", "foo_add", "init", "__init", "CALL"} {
		if !has[id] {
			t.Errorf("identifier %q not found", id)
		}
	}
	for _, id := range []string{"in_comment", "helper_in_line_comment", "in_string", "other_string", "linux", "module", "local", "h", "EXPORT_SYMBOL", "x1fULL", "1fULL"} {
		if has[id] {
			t.Errorf("identifier %q should not be found", id)
		}
	}
}
