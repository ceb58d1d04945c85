package fsm

// setCommands is a placeholder until the set commands land.
func setCommands() []*Command { return nil }
