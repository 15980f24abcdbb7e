package kbuild

import (
	"reflect"
	"strings"
	"testing"
)

// modules renders parsed modules as "name: obj obj" for compact comparison.
func modules(p *Parsed) []string {
	var out []string
	for _, m := range p.Modules {
		var objs []string
		for _, o := range m.Objects {
			objs = append(objs, o.Path)
		}
		out = append(out, m.Name+": "+strings.Join(objs, " "))
	}
	return out
}

func warnings(p *Parsed) []string {
	var out []string
	for _, w := range p.Warnings {
		out = append(out, w.String())
	}
	return out
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      string
		config   map[string]string
		want     []string
		warnings []string
	}{
		{
			name: "single",
			src:  "obj-m := hello.o\n",
			want: []string{"hello: hello.o"},
		},
		{
			name: "two modules and append",
			src:  "obj-m += a.o\nobj-m += b.o a.o\n",
			want: []string{"a: a.o", "b: b.o"},
		},
		{
			name: "composite objs and y",
			src: "obj-m := foo.o\n" +
				"foo-objs := main.o \\\n\tutil.o\n" +
				"foo-y += extra.o # comment\n" +
				"foo-objs += more.o\n",
			want: []string{"foo: main.o util.o more.o extra.o"},
		},
		{
			name: "assignment replaces, continuation with comment",
			src:  "obj-m := a.o\nobj-m := b.o \\\n  c.o\n# obj-m += d.o \\\n  e.o\n",
			want: []string{"b: b.o", "c: c.o"},
		},
		{
			name:   "conditional objects default enabled",
			src:    "obj-$(CONFIG_FOO) += foo.o\nobj-$(CONFIG_BAR) += bar.o\nobj-y += builtin.o\nfoo-$(CONFIG_BAZ) += baz.o\nfoo-y += core.o\n",
			config: map[string]string{"CONFIG_BAR": "n"},
			want:   []string{"foo: core.o baz.o"},
		},
		{
			name:   "conditional object configured y is not a module",
			src:    "obj-$(CONFIG_FOO) += foo.o\n",
			config: map[string]string{"CONFIG_FOO": "y"},
			want:   nil,
		},
		{
			name: "makefile kbuild branch",
			src: "ifneq ($(KERNELRELEASE),)\n" +
				"obj-m := hello.o\n" +
				"hello-y := a.o b.o\n" +
				"else\n" +
				"KDIR ?= /lib/modules/$(shell uname -r)/build\n" +
				"obj-m += wrong.o\n" +
				"all:\n" +
				"\t$(MAKE) -C $(KDIR) M=$$PWD modules\n" +
				"endif\n",
			want: []string{"hello: a.o b.o"},
		},
		{
			name: "makefile ifeq empty kernelrelease",
			src: "ifeq ($(KERNELRELEASE),)\n" +
				"default:\n\t$(MAKE) -C x M=$(PWD)\n" +
				"else\n" +
				"\tobj-m := tabbed.o\n" +
				"endif\n",
			want: []string{"tabbed: tabbed.o"},
		},
		{
			name: "plain makefile with rules after",
			src:  "obj-m += m.o\n\nall:\n\tmake -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\nclean:\n\trm -f *.o\n",
			want: []string{"m: m.o"},
		},
		{
			name: "variables and functions",
			src: "NAME := drv\nPARTS = core io\n" +
				"obj-m += $(NAME).o\n" +
				"$(NAME)-objs := $(addsuffix .o,$(PARTS)) $(patsubst %.c,%.o,x.c) $(PARTS:=_hw.o)\n",
			want: []string{"drv: core.o io.o x.o core_hw.o io_hw.o"},
		},
		{
			name:   "ifdef config",
			src:    "ifdef CONFIG_A\nobj-m += a.o\nelse\nobj-m += na.o\nendif\nifeq ($(CONFIG_B),y)\nobj-m += b.o\nelse ifeq ($(CONFIG_B),m)\nobj-m += bm.o\nendif\n",
			config: map[string]string{"CONFIG_A": "n"},
			want:   []string{"na: na.o", "bm: bm.o"},
		},
		{
			name: "ccflags",
			src:  "obj-m := a.o\nccflags-y := -I$(src)/include -DFOO=1\nccflags-y += -Wall\n",
			want: []string{"a: a.o"},
		},
		{
			name: "define and include",
			src:  "define X\nobj-m += nope.o\nendef\ninclude $(src)/other.mk\nobj-m += yes.o\n",
			want: []string{"yes: yes.o"},
			warnings: []string{
				`Kbuild:4: include is not followed; modules and objects defined in "$(src)/other.mk" are not seen`,
			},
		},
		{
			name: "malformed lines warn and never crash",
			src: "obj-m += good.o\n" +
				"obj-m bad.o\n" + // missing operator
				"obj-m += notobj.c\n" +
				"good-objs := g.o $(shell ls)\n" +
				"obj-m += $(UNDEFINED).o\n" +
				"endif\n" +
				"obj-m += sub/\n" +
				"obj-m += $(oops\n",
			want: []string{"good: g.o"},
			warnings: []string{
				`Kbuild:2: cannot parse "obj-m bad.o" (no assignment operator, rule or directive); line ignored`,
				`Kbuild:3: obj-m entry "notobj.c" is not an object file (.o); skipped`,
				`Kbuild:4: in good-objs: function $(shell ...) is not supported; those words are left out`,
				`Kbuild:5: in obj-m: variable UNDEFINED is not defined in the file; those words are left out`,
				`Kbuild:5: obj-m entry ".o" is not a valid module name; skipped`,
				`Kbuild:6: endif without a matching if`,
				`Kbuild:7: obj-m lists 1 directory (sub/): not followed from here; each gets its targets from its own Kbuild or Makefile`,
				`Kbuild:8: in obj-m: unterminated "$(oops"; those words are left out`,
			},
		},
		{
			name: "unknown conditional reads all branches",
			src:  "ifeq ($(ARCH),arm)\nobj-m += a.o\nelse\nobj-m += b.o\nendif\n",
			want: []string{"a: a.o", "b: b.o"},
			warnings: []string{
				`Kbuild:1: cannot evaluate ifeq ($(ARCH),arm) (variable ARCH is not defined in the file); reading all its branches`,
			},
		},
		{
			name:     "unclosed conditional and trailing backslash",
			src:      "ifneq ($(KERNELRELEASE),)\nobj-m += a.o \\",
			want:     []string{"a: a.o"},
			warnings: []string{`Kbuild:1: conditional is not closed by endif`, `Kbuild:2: line continuation ('\') at end of file`},
		},
		{
			name: "composite circular and outside",
			src:  "obj-m := c.o\nc-y := c.o ../x.o lib/u.o\n",
			want: []string{"c: lib/u.o"},
			warnings: []string{
				`Kbuild:2: c-y lists c.o itself (circular); skipped`,
				`Kbuild:2: c-y entry "../x.o" is outside the module directory; skipped`,
			},
		},
		{
			name: "escaped hash and crlf",
			src:  "obj-m := a.o\r\nX := \\#notcomment\r\n",
			want: []string{"a: a.o"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Config: func(s string) string {
				if v, ok := tc.config[s]; ok {
					return v
				}
				return "m"
			}}
			p := Parse("Kbuild", []byte(tc.src), opts)
			if got := modules(p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("modules = %q, want %q", got, tc.want)
			}
			if got := warnings(p); !reflect.DeepEqual(got, tc.warnings) {
				t.Errorf("warnings =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.warnings, "\n"))
			}
		})
	}
}

func TestParseCCFlags(t *testing.T) {
	p := Parse("Kbuild", []byte("obj-m := a.o\nccflags-y := -I$(src)/include -DFOO=1\nccflags-y += -Wall\nEXTRA_CFLAGS += -I$(M)/../common\n"), Options{})
	var got []string
	for _, f := range p.CCFlags {
		got = append(got, f.Path)
	}
	want := []string{"-I./include", "-DFOO=1", "-Wall", "-I./../common"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ccflags = %q, want %q", got, want)
	}
}

func TestParseWildcard(t *testing.T) {
	opts := Options{Wildcard: func(pat string) []string {
		if pat != "./*.c" {
			t.Errorf("wildcard pattern %q", pat)
		}
		return []string{"./a.c", "./b.c"}
	}}
	p := Parse("Kbuild", []byte("obj-m := w.o\nw-objs := $(patsubst $(src)/%.c,%.o,$(wildcard $(src)/*.c))\n"), opts)
	if got, want := modules(p), []string{"w: a.o b.o"}; !reflect.DeepEqual(got, want) {
		t.Errorf("modules = %q, want %q", got, want)
	}
}

func TestHasObjM(t *testing.T) {
	for src, want := range map[string]bool{
		"obj-m := a.o\n":                true,
		"  obj-$(CONFIG_X) += a.o\n":    true,
		"all:\n\tgcc -o x x.c\n":        false,
		"# obj-m := a.o\n":              false,
		"override obj-m += a.o\n":       true,
		"CFLAGS := -O2\nobj-y += a.o\n": false,
	} {
		if got := HasObjM([]byte(src)); got != want {
			t.Errorf("HasObjM(%q) = %v, want %v", src, got, want)
		}
	}
}

// FuzzParse checks that no input crashes the parser.
func FuzzParse(f *testing.F) {
	f.Add("obj-m := a.o\na-y := $(x) \\\n b.o\nifeq ($(CONFIG_A),y)\nelse\nendif\n")
	f.Add("$($($(\n${\nifeq (\n")
	f.Fuzz(func(t *testing.T, s string) {
		Parse("Kbuild", []byte(s), Options{})
	})
}
