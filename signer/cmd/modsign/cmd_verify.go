package main

import "errors"

func cmdVerify(e *env, args []string) error { return errors.New("verify: not implemented yet") }
func cmdInfo(e *env, args []string) error   { return errors.New("info: not implemented yet") }
func cmdStrip(e *env, args []string) error  { return errors.New("strip: not implemented yet") }
