package fsm

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// Unless marked otherwise, expected values were produced by redis-server
// 7.0.15 (ZADD+ZSCORE for scores, INCRBYFLOAT for long doubles).

func Test_FormatDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"}, // skiplist-encoded zset; listpack turns it into "0"
		{1.1, "1.1000000000000001"},
		{3, "3"},
		{-3, "-3"},
		{1e300, "1.0000000000000001e+300"},
		{1.5e-7, "1.4999999999999999e-07"},
		{123456789012345678, "1.2345678901234568e+17"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{16, "16"},
		{0.5, "0.5"},
		{-0.0005, "-0.00050000000000000001"},
		{4e-320, "3.999955468730732e-320"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := formatDouble(tt.in); got != tt.want {
				t.Fatalf("formatDouble(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// incrByFloat replays INCRBYFLOAT: every step parses the stored string and
// the increment, adds, and stores the formatted result.
func incrByFloat(t *testing.T, incrs ...string) []string {
	t.Helper()
	cur := "0"
	var out []string
	for _, in := range incrs {
		v, ok1 := parseLongDoubleArg([]byte(cur))
		d, ok2 := parseLongDoubleArg([]byte(in))
		if !ok1 || !ok2 {
			t.Fatalf("cannot parse %q + %q", cur, in)
		}
		cur = formatLongDouble(v + d)
		out = append(out, cur)
	}
	return out
}

func Test_FormatLongDoubleMatchesRedis(t *testing.T) {
	tests := []struct {
		incrs []string
		want  string // results of the steps, space separated
	}{
		{[]string{"1.1"}, "1.1"},
		{[]string{"0.1", "0.1", "0.1"}, "0.1 0.2 0.3"},
		{[]string{"0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1"}, "0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1"},
		{[]string{"1e20"}, "100000000000000000000"},
		{[]string{"10.5"}, "10.5"},
		{[]string{"3.0"}, "3"},
		{[]string{"5.0e3"}, "5000"},
		{[]string{"5.0e3", "2.0e2"}, "5000 5200"},
		{[]string{"10.50", "0.1", "-5"}, "10.5 10.6 5.6"},
		{[]string{"100.1"}, "100.1"},
		{[]string{"0.1", "0.2"}, "0.1 0.3"},
		{[]string{"1.1", "2.2"}, "1.1 3.3"},
		{[]string{"1", "-0.9"}, "1 0.1"},
		{[]string{"0.7", "0.1"}, "0.7 0.8"},
		{[]string{"127.1", "0.2"}, "127.1 127.3"},
		{[]string{"99.9", "0.1"}, "99.9 100"},
		{[]string{"1000000.5", "0.25"}, "1000000.5 1000000.75"},
		{[]string{"0x10"}, "16"},
		{[]string{"1e5"}, "100000"},
		{[]string{"1e-400"}, "0"},
		{[]string{"1.5e-20"}, "0"},
		{[]string{"-0"}, "0"},
		{[]string{"12345678901234567"}, "12345678901234568"}, // Redis: ...567 (exact in long double)
		{[]string{"0.30000000000000004"}, "0.3"},             // Redis keeps all 17 digits
		{[]string{"3.141592653589793"}, "3.141592653589793"},
		{[]string{"1", "-1.1"}, "1 -0.10000000000000009"},                // Redis: -0.1 (cancellation)
		{[]string{"1.1", "-1"}, "1.1 0.10000000000000009"},               // Redis: 0.1 (cancellation)
		{[]string{"2.5", "-2.4"}, "2.5 0.10000000000000009"},             // Redis: 0.1 (cancellation)
		{[]string{"1000.1"}, "1000.1"},                                   // Redis: 1000.09999999999999998
		{[]string{"1e15", "0.3"}, "1000000000000000 1000000000000000.2"}, // Redis: ...0.29998779296875
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.incrs, "+"), func(t *testing.T) {
			if got := strings.Join(incrByFloat(t, tt.incrs...), " "); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func Test_FormatLongDoubleShape(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{1e300, "1" + strings.Repeat("0", 300)},
		{-1e-20, "0"},
		{1.23e-17, "0.00000000000000001"},
		{-1.5e-7, "-0.00000015"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{4503599627370495.5, "4503599627370495.5"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := formatLongDouble(tt.in); got != tt.want {
				t.Fatalf("formatLongDouble(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func Test_ParseFloatArg(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", math.Copysign(0, -1), true},
		{"1.1", 1.1, true},
		{"inf", math.Inf(1), true},
		{"+inf", math.Inf(1), true},
		{"-inf", math.Inf(-1), true},
		{"INF", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		{"0x10", 16, true},
		{"0X1p3", 8, true},
		{"0x1.8", 1.5, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"+5", 5, true},
		{"-.5e-3", -0.0005, true},
		{"1E+2", 100, true},
		{"4e-320", 4e-320, true},
		{"007", 7, true},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"\t1", 0, false},
		{"", 0, false},
		{"1e400", 0, false},
		{"-1e400", 0, false},
		{"1e-400", 0, false},
		{"0x1p-1080", 0, false},
		{"0e-400", 0, true},
		{"nan", 0, false},
		{"-nan", 0, false},
		{"nan(123)", 0, false},
		{"1_0", 0, false},
		{"0x", 0, false},
		{"0x.", 0, false},
		{"1e", 0, false},
		{"1e+", 0, false},
		{"1\x00", 0, false},
		{"infinit", 0, false},
		{"infx", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"1.2.3", 0, false},
		{"0x1p", 0, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.in), func(t *testing.T) {
			got, ok := parseFloatArg([]byte(tt.in))
			if ok != tt.ok || (ok && (got != tt.want || math.Signbit(got) != math.Signbit(tt.want))) {
				t.Fatalf("parseFloatArg(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func Test_ParseLongDoubleArg(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1e5", 1e5, true},
		{"1.1", 1.1, true},
		{"0x10", 16, true},
		{"inf", math.Inf(1), true}, // the caller rejects the infinite result
		{" 1", 0, false},
		{"1 ", 0, false},
		{"", 0, false},
		{"nan", 0, false},
		{"1_0", 0, false},
		{"1\x002", 0, false},
		{"1e-400", 0, true}, // tiny but nonzero as a long double
		{"-1e-4940", math.Copysign(0, -1), true},
		{"1e-4950", 0, true},
		{"1e-4951", 0, false}, // underflows even a long double
		{"1e-5000", 0, false},
		{"0x1p-20000", 0, false},
		{"0e-5000", 0, true},
		{"1e400", math.Inf(1), true}, // Redis: a 401-digit number
		{"-1.2e4931", math.Inf(-1), true},
		{"0x1p16383", math.Inf(1), true},
		{"1e4933", 0, false}, // overflows even a long double
		{"0x1p16384", 0, false},
		{strings.Repeat("0", maxLongDoubleChars-1), 0, true},
		{strings.Repeat("0", maxLongDoubleChars), 0, false},
		{strings.Repeat("1", maxLongDoubleChars-1), 0, false},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 20 {
			name = name[:10] + "..." + strconv.Itoa(len(name))
		}
		t.Run(strconv.Quote(name), func(t *testing.T) {
			got, ok := parseLongDoubleArg([]byte(tt.in))
			if ok != tt.ok || (ok && (got != tt.want || math.Signbit(got) != math.Signbit(tt.want))) {
				t.Fatalf("parseLongDoubleArg(%q) = %v, %v, want %v, %v", name, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func Test_ParseInt64Arg(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"99", 99, true},
		{"-99", -99, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551615", 0, false},
		{"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false},
		{"-0", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"01", 0, false},
		{"00", 0, false},
		{"-", 0, false},
		{"", 0, false},
		{"1a", 0, false},
		{"1.0", 0, false},
		{"0x10", 0, false},
		{"1\x00", 0, false},
		{"-00000000000000000001", 0, false},
		{"100000000000000000000", 0, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.in), func(t *testing.T) {
			got, ok := parseInt64Arg([]byte(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("parseInt64Arg(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func Test_FormatInt(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"},
		{-1, "-1"},
		{math.MaxInt64, "9223372036854775807"},
		{math.MinInt64, "-9223372036854775808"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := formatInt(tt.in); got != tt.want {
				t.Fatalf("formatInt(%d) = %q", tt.in, got)
			}
			if back, ok := parseInt64Arg([]byte(tt.want)); !ok || back != tt.in {
				t.Fatalf("parseInt64Arg(formatInt(%d)) = %d, %v", tt.in, back, ok)
			}
		})
	}
}
