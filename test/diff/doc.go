// Package diff holds the differential tests: every command of the corpus
// files (corpus/*.txt) and every raw protocol input of the protocol table is
// sent both to a reference redis-server and to a Redraft node, and the
// replies must be identical.
//
// Corpus format, one command per line:
//
//	# a comment
//	SET k "a value with spaces, \" quotes and \x00 bytes"
//	~ SMEMBERS s       compare unordered (arrays as multisets, maps by pair)
//	! RANDOMKEY        compare only the reply type (and aggregate length)
//
// Arguments are separated by spaces; double-quoted arguments may contain
// spaces and the escapes \" \\ \n \r \t \a \b \xHH; single-quoted ones may
// contain \'. A blank line ends a case: each case runs on fresh connections
// after FLUSHALL and SELECT 0, once in RESP2 and once after HELLO 3.
//
// For a reply of the SCAN shape ([cursor, array]) under "~", only the array
// is compared (unordered), and both cursors must be "0" or both not "0".
//
// Environment:
//
//	REDRAFT_DIFF_TARGET=redis      compare against a second redis-server
//	                               instead of Redraft (checks that the corpus
//	                               is deterministic)
//	REDRAFT_DIFF_TARGET=host:port  compare against an already running server
//	REDRAFT_DIFF_FILE=strings.txt  run only that corpus file
//	REDRAFT_DIFF_VERBOSE=1         log every command with the reference reply
package diff
