package fsm

import "github.com/redraft/redraft/reply"

// PUBLISH and SPUBLISH go through the log so that every node delivers the
// message to its own subscribers, in log order. Applying one changes no
// state: the command reports the message to the OnPublish callback and
// answers a fixed 0, the same on every replica. The node the client is
// connected to replaces that 0 with the number of its local receivers
// (Redis Cluster's count); scripts, which run on every replica alike, see
// the 0.

func pubsubCommands() []*Command {
	f := FlagPubSub | FlagLoading | FlagStale | FlagFast | FlagMayReplicate
	return []*Command{
		{Name: "publish", Arity: 3, Flags: f, Run: cmdPublish},
		{Name: "spublish", Arity: 3, Flags: f, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdPublish},
	}
}

// Message is a PUBLISH (or, with Shard, an SPUBLISH) applied at log index
// Index. Channel and Payload alias the log entry: a callback that keeps
// them past its return must copy them.
type Message struct {
	Index   uint64
	Shard   bool
	Channel []byte
	Payload []byte
}

// OnPublish registers fn to be called, outside the store lock and in apply
// order, with the messages each applied batch published. fn must not
// block: it runs on the apply loop.
func (s *Store) OnPublish(fn func([]Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPublish = fn
}

func cmdPublish(c *Ctx, args [][]byte) reply.Value {
	if c.write && c.s.onPublish != nil {
		c.s.published = append(c.s.published, Message{
			Index: c.index, Shard: LowerName(args[0]) == "spublish", Channel: args[1], Payload: args[2],
		})
	}
	return reply.Int(0)
}
