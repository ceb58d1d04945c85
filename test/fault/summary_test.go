package fault

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a scenario's testing.TB. It keeps the first failure message
// and when it came, so that the suite can end with a summary: with -v the
// reason of a failed scenario is printed where it happened, hundreds of
// lines above the end of the output that CI shows.
type recorder struct {
	*testing.T
	start time.Time

	mu    sync.Mutex
	first string
}

func newRecorder(t *testing.T) *recorder { return &recorder{T: t, start: time.Now()} }

func (r *recorder) record(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first == "" {
		r.first = fmt.Sprintf("at %.1fs: %s", time.Since(r.start).Seconds(), msg)
	}
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.T.Helper()
	r.record(fmt.Sprintf(format, args...))
	r.T.Fatalf(format, args...)
}

func (r *recorder) Fatal(args ...any) {
	r.T.Helper()
	r.record(fmt.Sprint(args...))
	r.T.Fatal(args...)
}

func (r *recorder) Errorf(format string, args ...any) {
	r.T.Helper()
	r.record(fmt.Sprintf(format, args...))
	r.T.Errorf(format, args...)
}

func (r *recorder) Error(args ...any) {
	r.T.Helper()
	r.record(fmt.Sprint(args...))
	r.T.Error(args...)
}

// outcome is one line of the summary.
func (r *recorder) outcome(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case !r.Failed():
		return fmt.Sprintf("PASS  %-36s %.1fs", name, time.Since(r.start).Seconds())
	case r.first != "":
		return fmt.Sprintf("FAIL  %-36s %s", name, firstLine(r.first))
	default:
		return fmt.Sprintf("FAIL  %-36s (no message)", name)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
