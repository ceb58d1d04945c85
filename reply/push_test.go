package reply

import "testing"

// A push is an array in RESP2 and a '>' frame in RESP3; frames are written
// back to back, each in the connection's protocol.
func Test_PushAndFramesRender(t *testing.T) {
	confirm := func(ch string, n int64) Value {
		return Push([]Value{BulkString("subscribe"), BulkString(ch), Int(n)})
	}
	v := Frames([]Value{confirm("a", 1), confirm("b", 2)})
	for _, tc := range []struct {
		proto int
		want  string
	}{
		{2, "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"},
		{3, ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"},
	} {
		if got := string(Append(nil, v, tc.proto)); got != tc.want {
			t.Errorf("RESP%d: %q, want %q", tc.proto, got, tc.want)
		}
	}
	if got := string(Append(nil, Push([]Value{BulkString("unsubscribe"), Null(), Int(0)}), 2)); got != "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n" {
		t.Errorf("null channel in RESP2: %q", got)
	}
}
