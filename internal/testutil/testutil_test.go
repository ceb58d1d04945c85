package testutil

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadValueRoundTrip(t *testing.T) {
	inputs := []string{
		"+OK\r\n",
		"-ERR unknown command 'x'\r\n",
		":-42\r\n",
		"$3\r\nfoo\r\n",
		"$0\r\n\r\n",
		"$-1\r\n",
		"*-1\r\n",
		"*0\r\n",
		"*2\r\n$1\r\na\r\n:1\r\n",
		"_\r\n",
		",3.14\r\n",
		",inf\r\n",
		"#t\r\n",
		"#f\r\n",
		"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n_\r\n",
		"~2\r\n$1\r\na\r\n$1\r\nb\r\n",
		"=15\r\ntxt:Some string\r\n",
		"(3492890328409238509324850943850943825024385\r\n",
		">2\r\n$7\r\nmessage\r\n$2\r\nhi\r\n",
		"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n",
		"$4\r\na\r\nb\r\n",
	}
	for _, in := range inputs {
		v, err := ReadValue(bufio.NewReader(strings.NewReader(in)))
		if err != nil {
			t.Errorf("ReadValue(%q): %v", in, err)
			continue
		}
		if got := string(v.Encode()); got != in {
			t.Errorf("ReadValue(%q).Encode() = %q", in, got)
		}
		if v.String() == "" {
			t.Errorf("ReadValue(%q).String() is empty", in)
		}
	}
}

func TestReadValueRejectsGarbage(t *testing.T) {
	inputs := []string{
		"OK\r\n",
		"+OK\n",
		":abc\r\n",
		"$5\r\nab\r\n",
		"$3\r\nfooXX",
		"*2\r\n:1\r\n",
		"#x\r\n",
		"$-2\r\n",
		"$999999999999\r\n",
	}
	for _, in := range inputs {
		if v, err := ReadValue(bufio.NewReader(strings.NewReader(in))); err == nil {
			t.Errorf("ReadValue(%q) = %v, want an error", in, v)
		}
	}
}

func TestEncodeCommand(t *testing.T) {
	got := string(EncodeCommand("SET", "k", ""))
	want := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
	if got != want {
		t.Fatalf("EncodeCommand = %q, want %q", got, want)
	}
}

func TestFreePortAndModuleRoot(t *testing.T) {
	if p := FreePort(t); p <= 0 || p > 65535 {
		t.Fatalf("FreePort = %d", p)
	}
	root := ModuleRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("ModuleRoot = %s without go.mod: %v", root, err)
	}
}

func TestStartRedis(t *testing.T) {
	s := StartRedis(t)
	c := MustDial(t, s.Addr())
	v, err := c.Do("SET", "k", "v")
	if err != nil || v.Type != '+' || v.Str != "OK" {
		t.Fatalf("SET = %v, %v", v, err)
	}
	v, err = c.Do("GET", "k")
	if err != nil || v.Type != '$' || v.Str != "v" {
		t.Fatalf("GET = %v, %v", v, err)
	}
}

func TestStartRedisWithPassword(t *testing.T) {
	s := StartRedis(t, "--requirepass", "secret")
	c := MustDial(t, s.Addr())
	v, err := c.Do("PING")
	if err != nil || v.Type != '-' || !strings.HasPrefix(v.Str, "NOAUTH") {
		t.Fatalf("PING without AUTH = %v, %v", v, err)
	}
}
