package cluster

import (
	"time"

	"github.com/redraft/redraft/fsm"
)

// expiryBatch bounds one expiry entry so it never holds the FSM for long.
const expiryBatch = 200

// runExpiry is the leader's active expiry: every interval it proposes the
// deletion of keys whose deadline has passed by its clock. Followers never
// delete on their own; they hide expired keys from reads until the entry
// arrives.
func (n *Node) runExpiry(interval time.Duration) {
	defer n.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-n.closing:
			return
		case <-t.C:
		}
		for n.leaderReady() {
			cmds := n.store.ExpiredKeys(time.Now().UnixMilli(), expiryBatch)
			if len(cmds) == 0 {
				break
			}
			deleted, err := n.applyLocal(&fsm.Entry{Type: fsm.EntryExpire, Cmds: cmds})
			if err != nil {
				n.log.Warn("expiry proposal failed", "err", err)
				break
			}
			if deleted.Int == 0 {
				// Nothing was due by the log clock; try again next tick.
				break
			}
			select {
			case <-n.closing:
				return
			default:
			}
		}
	}
}
