package jepsen

import "errors"

// Classify decides what an error from a command means for the history.
//
// Failed (certainly not applied) is returned only when that is guaranteed:
//   - the command never left this process (dial failed, e.g. connection
//     refused, or the write accepted zero bytes);
//   - the server answered -CLUSTERDOWN: Redraft sends it only for an entry
//     it never appended to the Raft log (no leader, or not appended);
//   - the server answered -LOADING: the node has not replayed its log and
//     serves nothing.
//
// Everything else is Unknown: a timeout or a connection lost after the
// command was (maybe partly) sent, -TRYAGAIN (leadership was lost after the
// entry was appended), and any other error reply, because an error we do not
// know for certain to be harmless must not let the checker assume the write
// did not happen.
func Classify(err error) Outcome {
	if err == nil {
		return OK
	}
	var re ReplyError
	if errors.As(err, &re) {
		switch re.Code() {
		case "CLUSTERDOWN", "LOADING":
			return Failed
		}
		return Unknown
	}
	var te *TransportError
	if errors.As(err, &te) && !te.Sent {
		return Failed
	}
	return Unknown
}

// connectionBroken reports whether after err the connection can no longer
// be trusted to be in step with the server, so it must be closed (and, if
// configured, the client moves to another address).
func connectionBroken(err error) bool {
	if err == nil {
		return false
	}
	var re ReplyError
	return !errors.As(err, &re)
}
