package envtest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// chartDir is charts/redraft.
func chartDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "charts", "redraft")
}

// helm is the helm binary hack/k8s-tools.sh builds next to the others.
func helm(t *testing.T) string {
	t.Helper()
	p := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "helm")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("helm not found in KUBEBUILDER_ASSETS (%v): run hack/k8s-tools.sh", err)
	}
	return p
}

// chartValues are the values files the chart is checked with: the
// defaults and each file of the chart's ci/ directory.
func chartValues(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join(chartDir(), "ci", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{""}, files...)
}

func TestChartLint(t *testing.T) {
	for _, v := range chartValues(t) {
		args := []string{"lint", "--strict", chartDir()}
		if v != "" {
			args = append(args, "-f", v)
		}
		out, err := exec.Command(helm(t), args...).CombinedOutput()
		if err != nil {
			t.Errorf("helm %v: %v\n%s", args, err, out)
		}
	}
}

// TestChartRendersValidObjects renders the chart with every values file
// and has the API server validate each object (server-side dry run with
// strict field validation: helm's own --validate lets unknown fields and
// bad values through).
func TestChartRendersValidObjects(t *testing.T) {
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "redraft"}}
	if err := env.client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	for _, v := range chartValues(t) {
		args := []string{"template", "rel", chartDir(), "--namespace", "redraft"}
		if v != "" {
			args = append(args, "-f", v)
		}
		out, err := exec.Command(helm(t), args...).Output()
		if err != nil {
			t.Fatalf("helm %v: %v", args, err)
		}
		objs := decodeAll(t, out)
		if len(objs) == 0 {
			t.Fatalf("%s rendered nothing", v)
		}
		for _, obj := range objs {
			if obj.GetAPIVersion() == "monitoring.coreos.com/v1" {
				continue // no Prometheus Operator CRDs in the test API server
			}
			err := env.client.Create(ctx, obj, client.DryRunAll, client.FieldValidation("Strict"))
			if err != nil {
				t.Errorf("values %q: %s %s rejected: %v", filepath.Base(v), obj.GetKind(), obj.GetName(), err)
			}
		}
	}
}

func decodeAll(t *testing.T, manifest []byte) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifest), 4096)
	var out []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("decoding helm output: %v", err)
		}
		if len(obj.Object) > 0 {
			out = append(out, obj)
		}
	}
}
