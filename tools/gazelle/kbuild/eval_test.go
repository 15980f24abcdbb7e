package kbuild

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestParseAsMake covers what kernel Makefiles need beyond the basics
// (issue #13): Kconfig types, helper lists, make's built-in variables,
// include, command-line variables.
func TestParseAsMake(t *testing.T) {
	types := KconfigTypes{}
	types.ParseKconfig([]byte(`
config TRI
	tristate "a tristate"
	help
	  config NOT_A_SYMBOL
	  bool "help text is not read"

menuconfig BOOLSYM
	bool "a bool"

config DEFB
	def_bool y

config STR
	string "a string"
`))
	files := map[string]string{
		"sub/defs.mk": "build_x = m\nbuild_y = y\n",
		"loop.mk":     "obj-m += l.o\ninclude loop.mk\n",
	}
	for _, tc := range []struct {
		name     string
		src      string
		vars     map[string]string
		want     []string
		warnings []string
	}{
		{
			name: "bool object is built in, tristate object is a module",
			src:  "obj-$(CONFIG_BOOLSYM) += aio.o\nobj-$(CONFIG_TRI) += tri.o\nobj-$(CONFIG_DEFB) += d.o\n",
			want: []string{"tri: tri.o"},
		},
		{
			name: "ifeq on a bool is true, on a tristate false",
			src: "obj-m += x.o\n" +
				"ifeq ($(CONFIG_BOOLSYM),y)\nx-y += b.o\nendif\n" +
				"ifeq ($(CONFIG_TRI),y)\nx-y += t.o\nendif\n" +
				"ifneq ($(CONFIG_DEFB),y)\nx-y += nommu.o\nendif\n",
			want: []string{"x: b.o"},
		},
		{
			name: "helper list from a bool symbol, used after",
			src: "obj-$(CONFIG_TRI) += iso.o\n" +
				"iso-objs += $(iso-y) core.o\n" +
				"iso-$(CONFIG_BOOLSYM) += joliet.o\n" +
				"iso-$(CONFIG_TRI) += zisofs.o\n",
			want: []string{"iso: joliet.o core.o zisofs.o"},
		},
		{
			name: "an object in obj-y is built in",
			src:  "obj-y += always.o\nobj-$(CONFIG_TRI) += always.o mod.o\n",
			want: []string{"mod: mod.o"},
		},
		{
			name: "an object listed by a bool and a tristate symbol can be a module",
			src:  "obj-$(CONFIG_BOOLSYM) += both.o\nobj-$(CONFIG_TRI) += both.o\n",
			want: []string{"both: both.o"},
		},
		{
			name: "unknown symbol in a condition: both branches, one warning",
			src:  "obj-m += r.o\nifneq ($(CONFIG_UNTYPED),y)\nr-y += nommu.o\nelse\nr-y += mmu.o\nendif\nobj-$(CONFIG_UNTYPED2) += u.o\n",
			want: []string{"r: nommu.o mmu.o", "u: u.o"},
			warnings: []string{
				"Kbuild:2: cannot evaluate ifneq ($(CONFIG_UNTYPED),y) (it depends on a CONFIG_ symbol whose type is in no Kconfig file of the repository; set it with # gazelle:kernel_module_config); reading all its branches",
			},
		},
		{
			name: "a string symbol is unknown too",
			src:  "ifeq ($(CONFIG_STR),m)\nobj-m += s.o\nendif\n",
			want: []string{"s: s.o"},
			warnings: []string{
				"Kbuild:1: cannot evaluate ifeq ($(CONFIG_STR),m) (it depends on a CONFIG_ symbol whose type is in no Kconfig file of the repository; set it with # gazelle:kernel_module_config); reading all its branches",
			},
		},
		{
			name: "src ?= keeps kbuild's src",
			src:  "src ?= $(PWD)/elsewhere\nKDIR ?= /lib/modules\nobj-m += a.o\nccflags-y := -I$(src)/../include\n",
			want: []string{"a: a.o"},
		},
		{
			name: "include inside the repository is followed",
			src:  "include $(src)/sub/defs.mk\n-include $(src)/sub/missing.mk\nobj-$(build_x) += x.o\nobj-$(build_y) += y.o\n",
			want: []string{"x: x.o"},
		},
		{
			name: "include of a missing file warns",
			src:  "include $(src)/nope.mk\nobj-m += a.o\n",
			want: []string{"a: a.o"},
			warnings: []string{
				"Kbuild:1: include ./nope.mk: nope.mk does not exist; not followed, modules and objects defined there are not seen",
			},
		},
		{
			name: "an include loop stops",
			src:  "include loop.mk\n",
			want: []string{"l: l.o"},
			warnings: []string{
				"loop.mk:2: include loop.mk: includes nested more than 16 deep; not followed",
			},
		},
		{
			name: "command-line variables win over the file",
			src:  "include ${TOP}/sub/defs.mk\nbuild_z = n\nobj-${build_x} += x.o\nobj-${build_z} += z.o\n",
			vars: map[string]string{"TOP": "$(src)", "build_z": "m"},
			want: []string{"x: x.o", "z: z.o"},
		},
		{
			name: "foreach, if, or",
			src:  "obj-m += f.o\nf-y = $(foreach p,a b,$(p).o) $(if $(CONFIG_BOOLSYM),yes.o,no.o) $(or $(EMPTY_VAR_X),or.o)\nEMPTY_VAR_X :=\n",
			want: []string{"f: a.o b.o yes.o or.o"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Parse("Kbuild", []byte(tc.src), Options{
				Config: types.Value,
				Vars:   tc.vars,
				Include: func(name string) (string, []byte, error) {
					name = filepath.Clean(name)
					if d, ok := files[name]; ok {
						return name, []byte(d), nil
					}
					return "", nil, errors.New(name + " does not exist")
				},
			})
			if got := modules(p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("modules = %q, want %q", got, tc.want)
			}
			if got := warnings(p); !reflect.DeepEqual(got, tc.warnings) {
				t.Errorf("warnings =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.warnings, "\n"))
			}
			var flags []string
			for _, f := range p.CCFlags {
				flags = append(flags, f.Path)
			}
			if tc.name == "src ?= keeps kbuild's src" && !reflect.DeepEqual(flags, []string{"-I./../include"}) {
				t.Errorf("ccflags = %q, want -I./../include", flags)
			}
		})
	}
}

func TestKconfigTypes(t *testing.T) {
	k := KconfigTypes{}
	k.ParseKconfig([]byte("config A\n\tbool \"a\"\n\thelp\n\t  config B\n\t  tristate\n\nconfig C\n\ttristate \"c\"\nconfig D\n\tint \"d\"\n"))
	k.ParseKconfig([]byte("config A\n\ttristate \"a on another arch\"\n"))
	want := KconfigTypes{"A": kconfigTristate, "C": kconfigTristate, "D": kconfigOther}
	if !reflect.DeepEqual(k, want) {
		t.Errorf("types = %v, want %v", k, want)
	}
	for sym, v := range map[string]string{"CONFIG_A": "m", "CONFIG_C": "m", "CONFIG_D": "", "CONFIG_B": ""} {
		if got := k.Value(sym); got != v {
			t.Errorf("Value(%s) = %q, want %q", sym, got, v)
		}
	}
}

// TestHashesMatchRules keeps the hash directive's list equal to the one
// kernel_module_signed accepts (HASH_KCONFIG's keys in rules/private/common.bzl).
func TestHashesMatchRules(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "rules", "private", "common.bzl"))
	if err != nil {
		if os.Getenv("TEST_SRCDIR") != "" {
			t.Skip("rules/private/common.bzl is not in this test's runfiles; go test checks it")
		}
		t.Fatalf("reading rules/private/common.bzl: %v", err)
	}
	// HASHES is the keys of HASH_KCONFIG, in order.
	m := regexp.MustCompile(`(?ms)^HASH_KCONFIG = \{(.*?)^\}`).FindSubmatch(data)
	if m == nil {
		t.Fatal("rules/private/common.bzl: no HASH_KCONFIG = {...} block")
	}
	var rules []string
	for _, q := range regexp.MustCompile(`(?m)^\s+"([^"]+)":`).FindAllSubmatch(m[1], -1) {
		rules = append(rules, string(q[1]))
	}
	if !reflect.DeepEqual(rules, validHashes) {
		t.Errorf("rules accept %q, the hash directive %q", rules, validHashes)
	}
	if isValidHash("sha1") {
		t.Error("sha1 is accepted; the rules reject it")
	}
}
