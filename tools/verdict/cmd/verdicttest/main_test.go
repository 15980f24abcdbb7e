package main

import (
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/protocol"
)

func report(lines ...string) *protocol.Report {
	rep := &protocol.Report{}
	for _, l := range lines {
		rep.Add(l)
	}
	return rep
}

func TestJudge(t *testing.T) {
	rep := report(
		"MODSIGN-INIT start",
		"MODSIGN-RESULT module=a.ko name=hello result=loaded",
		"MODSIGN-DMESG module=a.ko <4> hello: loading out-of-tree module taints kernel.",
		"MODSIGN-RESULT module=b.ko name=hello result=EKEYREJECTED errno=129",
		"MODSIGN-DMESG module=b.ko <5> Loading of unsigned module is rejected",
		"MODSIGN-RESULT module=c.ko name=nhc_hop result=ENOEXEC errno=8",
		"MODSIGN-DMESG module=c.ko <3> nhc_hop: version magic '6.1.0-56-amd64' should be '6.1.192'",
		"MODSIGN-RESULT module=d.ko name=hello result=EBADMSG errno=74",
		"MODSIGN-DMESG module=d.ko <3> PKCS7: Missing required AuthAttr",
		"MODSIGN-DONE results=4",
	)
	refused := func(errno, msg string) modsignVerdict { return modsignVerdict{Errno: errno, KernelMessage: msg} }
	cases := []struct {
		module string
		v      modsignVerdict
		agree  bool
		why    string
	}{
		{"a.ko", modsignVerdict{OK: true}, true, ""},
		{"a.ko", refused("EKEYREJECTED", ""), false, "kernel accepted"},
		{"b.ko", refused("EKEYREJECTED", "Loading of unsigned module is rejected"), true, ""},
		{"b.ko", refused("EKEYREJECTED", "Loading of module with unavailable key is rejected"), false, "did not log"},
		{"b.ko", refused("EKEYREJECTED", ""), false, "module_sig_check reason"},
		{"b.ko", refused("EBADMSG", ""), false, "errno: kernel EKEYREJECTED, modsign EBADMSG"},
		{"b.ko", modsignVerdict{OK: true}, false, "modsign says OK"},
		{"c.ko", modsignVerdict{OK: true}, true, ""},
		{"d.ko", refused("EBADMSG", "PKCS7: Missing required AuthAttr"), true, ""},
		{"d.ko", refused("EBADMSG", ""), true, ""},
		{"e.ko", modsignVerdict{OK: true}, false, "exactly one result"},
	}
	for _, c := range cases {
		r := judge(rep, module{Name: c.module}, c.v)
		if r.Agree != c.agree || !strings.Contains(r.Why, c.why) {
			t.Errorf("judge(%s, %+v) = agree %v, why %q; want %v, %q", c.module, c.v, r.Agree, r.Why, c.agree, c.why)
		}
	}
	if r := judge(rep, module{Name: "b.ko"}, modsignVerdict{}); r.KernelMessage != "Loading of unsigned module is rejected" || r.KernelErrno != "EKEYREJECTED" {
		t.Errorf("kernel verdict of b.ko = %q %q", r.KernelErrno, r.KernelMessage)
	}
	if r := judge(rep, module{Name: "c.ko"}, modsignVerdict{}); r.KernelErrno != "" {
		t.Errorf("ENOEXEC is past the signature, got kernel errno %q", r.KernelErrno)
	}
}
