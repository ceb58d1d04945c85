package testutil

import (
	"os"
	"testing"
)

// TestMain removes the redraft executable that the cluster tests build.
func TestMain(m *testing.M) { os.Exit(Main(m)) }
