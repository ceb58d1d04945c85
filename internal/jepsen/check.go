package jepsen

import (
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
)

// CheckOptions tune Check.
type CheckOptions struct {
	// KeyTimeout bounds porcupine's search on each key (default 30s).
	// Linearizability checking is NP-hard; a key whose search times out is
	// reported as undetermined, never as passing.
	KeyTimeout time.Duration
	// VisualizePath, if set, is where porcupine's HTML visualization of the
	// keys that are not linearizable is written when a check fails.
	VisualizePath string
}

// Check analyses a history: per-key linearizability with porcupine for
// each data type present, and the final-state checks, which need the final
// reads Verify appends (without them they are undetermined).
func Check(h *History, opts CheckOptions) *Report {
	start := time.Now()
	if opts.KeyTimeout <= 0 {
		opts.KeyTimeout = 30 * time.Second
	}
	ops, notes := h.Ops(), h.Notes()
	r := &Report{Ops: len(ops), ByKind: make(map[Kind]Counts), Notes: notes}
	countOps(r, ops)

	keys := keysOf(ops)
	byKey := groupByKey(ops)
	horizon := horizonOf(ops, notes)
	model := newModel()
	var illegal []porcupine.Operation
	for t := range numTypes {
		typed := keysOfType(keys, t)
		if len(typed) == 0 {
			continue
		}
		res, bad := checkLinearizable(model, t, typed, byKey, horizon, opts.KeyTimeout)
		r.Checks = append(r.Checks, res)
		illegal = append(illegal, bad...)
	}
	for t := range numTypes {
		if typed := keysOfType(keys, t); len(typed) > 0 {
			r.Checks = append(r.Checks, checkFinal(t, typed, byKey, horizon))
		}
	}
	if len(illegal) > 0 && opts.VisualizePath != "" {
		visualize(r, model, illegal, notes, opts)
	}
	r.CheckTime = time.Since(start)
	return r
}

// countOps fills in the per-kind and total outcome counts.
func countOps(r *Report, ops []Op) {
	for _, op := range ops {
		c := r.ByKind[op.Kind]
		c.add(op.Outcome)
		r.ByKind[op.Kind] = c
		r.Total.add(op.Outcome)
	}
}

func groupByKey(ops []Op) map[string][]Op {
	m := make(map[string][]Op)
	for _, op := range ops {
		m[op.Key] = append(m[op.Key], op)
	}
	return m
}

func keysOfType(keys []keyType, t DataType) []string {
	var out []string
	for _, k := range keys {
		if k.Type == t {
			out = append(out, k.Key)
		}
	}
	return out
}

// linName is the linearizability check for a data type.
func linName(t DataType) string {
	return [numTypes]string{CheckLinRegisters, CheckLinCounters, CheckLinLists}[t]
}

// checkLinearizable runs porcupine on each key separately, so that every
// key gets the full time budget and the report can name the keys that
// failed or timed out. It returns the operations of the illegal keys for
// the visualization.
func checkLinearizable(model porcupine.Model, t DataType, keys []string, byKey map[string][]Op,
	horizon int64, timeout time.Duration) (CheckResult, []porcupine.Operation) {
	res := CheckResult{Name: linName(t), Status: Pass}
	var bad []porcupine.Operation
	total := 0
	for _, k := range keys {
		pops := porcupineOps(byKey[k], horizon)
		total += len(pops)
		began := time.Now()
		switch porcupine.CheckOperationsTimeout(model, pops, timeout) {
		case porcupine.Illegal:
			res.Status = worse(res.Status, Fail)
			res.addDetail("key %s: NOT linearizable (%d ops)", k, len(pops))
			bad = append(bad, pops...)
		case porcupine.Unknown:
			res.Status = worse(res.Status, Undetermined)
			res.addDetail("key %s: porcupine gave up after %s (%d ops): undetermined", k, time.Since(began).Round(time.Millisecond), len(pops))
		}
	}
	res.Summary = fmt.Sprintf("%d keys, %d ops checked (failed ops and unanswered reads dropped)", len(keys), total)
	return res, bad
}

// visualize writes porcupine's HTML for the illegal keys, with the notes
// as annotations so faults can be read against the operations.
func visualize(r *Report, model porcupine.Model, ops []porcupine.Operation, notes []Note, opts CheckOptions) {
	_, info := porcupine.CheckOperationsVerbose(model, ops, opts.KeyTimeout)
	anns := make([]porcupine.Annotation, 0, len(notes))
	for _, n := range notes {
		anns = append(anns, porcupine.Annotation{Tag: "notes", Start: n.At, Description: n.Text})
	}
	info.AddAnnotations(anns)
	if err := porcupine.VisualizePath(model, info, opts.VisualizePath); err != nil {
		r.VisualizationErr = err.Error()
		return
	}
	r.Visualization = opts.VisualizePath
}
