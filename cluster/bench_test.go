package cluster

import (
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkWrite measures replicated writes end to end: a 3-node cluster
// on loopback with real bolt logs (fsync on every append), many concurrent
// writers (b.SetParallelism × GOMAXPROCS), each with its own pipeline as a
// client connection has. ns/op is the cluster's cost per acknowledged
// write; compare leader and follower to see what forwarding adds.
func BenchmarkWrite(b *testing.B) {
	nodes := startCluster(b, 3)
	leader, followers := leaderOf(b, nodes)
	for _, target := range []struct {
		name string
		n    *testNode
	}{{"leader", leader}, {"follower", followers[0]}} {
		b.Run(target.name, func(b *testing.B) {
			var key atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				pl := target.n.Pipeline()
				value := make([]byte, 64)
				for pb.Next() {
					k := strconv.FormatInt(key.Add(1)%1000, 10)
					e := cmd("SET", "bench:"+k, string(value))
					if _, err := pl.Propose(e).Await(); err != nil {
						b.Errorf("SET through %s: %v", target.name, err)
						return
					}
				}
			})
		})
	}
}
