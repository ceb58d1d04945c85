package fsm

// zsetCommands is a placeholder until the zset commands land.
func zsetCommands() []*Command { return nil }
