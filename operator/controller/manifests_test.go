package controller

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The chart carries copies of the generated CRD and RBAC rules (helm
// cannot read outside the chart); `make manifests` refreshes them.
func TestChartCopiesInSync(t *testing.T) {
	root := filepath.Join("..", "..")
	pairs := [][2]string{
		{"config/crd/bases/redraft.io_redraftclusters.yaml", "charts/redraft/crds/redraft.io_redraftclusters.yaml"},
		{"config/rbac/role.yaml", "charts/redraft/files/role.yaml"},
	}
	for _, p := range pairs {
		a, err := os.ReadFile(filepath.Join(root, p[0]))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(root, p[1]))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s: run make manifests", p[1], p[0])
		}
	}
}
