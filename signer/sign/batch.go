package sign

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/rules-modsign/rules_modsign/signer/modfile"
)

// Job is one module to sign.
type Job struct {
	In  string // module to read
	Out string // where to write the signed module ("" with Detached)
	P7S string // where to write the detached PKCS#7, or ""
}

// BatchOptions control SignFiles.
type BatchOptions struct {
	Replace  bool // strip an existing signature instead of refusing the module
	Detached bool // write only the .p7s, leave the module alone
	Workers  int  // 0 means one per CPU
	// Progress, if set, is called after each module (from the worker goroutines, serialised).
	Progress func(done, total int, r Result)
	// Files tracks temporary files for a signal handler (nil: no tracking).
	Files *Files
	// Context, when done, stops the batch before the next module.
	Context context.Context
}

// Result is the outcome for one job.
type Result struct {
	Job  Job
	Size int // bytes of the signature appended
	Err  error
}

// SignFile signs one module. Signing in place (Out == In) holds an
// exclusive advisory lock on the module from the read to the rename, so a
// second signer of the same file waits, then sees the signature.
func (s *Signer) SignFile(j Job, opts BatchOptions) Result {
	r := Result{Job: j}
	if opts.Context != nil && opts.Context.Err() != nil {
		r.Err = fmt.Errorf("%s: not signed: %w", j.In, ErrAborted)
		return r
	}
	var data []byte
	if !opts.Detached && sameTarget(j.In, j.Out) {
		l, err := lockInPlace(j.In)
		if err != nil {
			r.Err = err
			return r
		}
		defer l.unlock()
		data = l.data
	} else {
		var err error
		if data, err = os.ReadFile(j.In); err != nil {
			r.Err = fmt.Errorf("reading module: %w", err)
			return r
		}
	}
	if err := modfile.RefuseCompressed(j.In, data); err != nil {
		r.Err = err
		return r
	}
	signed, p7, err := s.SignBytes(data, opts.Replace)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", j.In, err)
		return r
	}
	r.Size = len(signed) - (len(data))
	if j.P7S != "" {
		if err := opts.Files.Write(j.P7S, p7, 0o644, true); err != nil {
			r.Err = err
			return r
		}
	}
	if !opts.Detached {
		mode := os.FileMode(0o644)
		if fi, err := os.Stat(j.In); err == nil {
			mode = fi.Mode().Perm()
		}
		if err := opts.Files.Write(j.Out, signed, mode, true); err != nil {
			r.Err = err
			return r
		}
	}
	return r
}

// sameTarget reports whether out names in (the same inode, or the same path).
func sameTarget(in, out string) bool {
	if in == out {
		return true
	}
	a, err1 := os.Stat(in)
	b, err2 := os.Stat(out)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// SignFiles signs many modules in one process on all CPUs. Each module is
// written atomically, so an interrupted batch leaves every module either
// fully signed or untouched. Results are returned in job order.
func (s *Signer) SignFiles(jobs []Job, opts BatchOptions) []Result {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(jobs) {
		workers = len(jobs)
	}
	results := make([]Result, len(jobs))
	next := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = s.SignFile(jobs[i], opts)
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done, len(jobs), results[i])
					mu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}
