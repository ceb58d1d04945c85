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
		v, ok1 := parseLongDouble([]byte(cur))
		d, ok2 := parseLongDouble([]byte(in))
		if !ok1 || !ok2 {
			t.Fatalf("cannot parse %q + %q", cur, in)
		}
		sum, ok := addLongDouble(v, d)
		if !ok {
			t.Fatalf("%q + %q is not finite", cur, in)
		}
		cur = formatLongDouble(sum)
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
		{[]string{"12345678901234567"}, "12345678901234567"}, // exact in a long double
		{[]string{"0.30000000000000004"}, "0.30000000000000004"},
		{[]string{"3.141592653589793"}, "3.141592653589793"},
		{[]string{"1", "-1.1"}, "1 -0.1"},
		{[]string{"1.1", "-1"}, "1.1 0.1"},
		{[]string{"2.5", "-2.4"}, "2.5 0.1"},
		{[]string{"1000.1"}, "1000.09999999999999998"},
		{[]string{"1e15", "0.3"}, "1000000000000000 1000000000000000.29998779296875"},
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
		in   string // parsed with parseLongDouble
		want string
	}{
		{"-1e-20", "0"},
		{"1.23e-17", "0.00000000000000001"},
		{"-1.5e-7", "-0.00000015"},
		{"4503599627370495.5", "4503599627370495.5"},
		{"inf", "inf"},   // not reachable through the commands
		{"-inf", "-inf"}, // not reachable through the commands
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			v, ok := parseLongDouble([]byte(tt.in))
			if !ok {
				t.Fatalf("parseLongDouble(%q) failed", tt.in)
			}
			if got := formatLongDouble(v); got != tt.want {
				t.Fatalf("formatLongDouble(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// 1e300 as a long double is not 10^300: Redis prints all 301 digits.
	v, _ := parseLongDouble([]byte("1e300"))
	got := formatLongDouble(v)
	if len(got) != 301 || !strings.HasPrefix(got, "1000000000000000000008997324079559193870") ||
		!strings.HasSuffix(got, "90089424915104006144") {
		t.Fatalf("formatLongDouble(1e300) = %q", got)
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

// Test_ParseLongDouble checks that the long double parser accepts exactly
// what parseLongDoubleArg accepts and rounds the exact input value once to
// 64 bits, half to even, like glibc's strtold.
func Test_ParseLongDouble(t *testing.T) {
	for _, in := range []string{
		"1e5", "1.1", "0x10", "inf", "-Infinity", " 1", "1 ", "", "nan", "1_0", "1\x002",
		"1e-400", "-1e-4940", "1e-4950", "1e-4951", "1e-5000", "0x1p-20000", "0e-5000",
		"1e400", "-1.2e4931", "0x1p16383", "1e4933", "0x1p16384", ".5", "5.", "+007", "0x",
		"1e", "0x1.8p1", "-0", "1e99999999999999999999", "0e99999999999999999999",
	} {
		_, okArg := parseLongDoubleArg([]byte(in))
		_, ok := parseLongDouble([]byte(in))
		if ok != okArg {
			t.Errorf("parseLongDouble(%q) ok = %v, parseLongDoubleArg ok = %v", in, ok, okArg)
		}
	}
	tests := []struct {
		in   string
		want string // exact value, %.30g-like via big.Float.Text('g', 40)
	}{
		{"0.1", "0.1000000000000000000013552527156068805425"},
		{"-0.1", "-0.1000000000000000000013552527156068805425"},
		{"1000.1", "1000.099999999999999977795539507496869192"},
		{"12345678901234567", "12345678901234567"},
		{"18446744073709551615", "18446744073709551615"},
		{"18446744073709551617", "18446744073709551616"}, // tie: rounds to even
		{"18446744073709551619", "18446744073709551620"},
		{"0x1.fffffffffffffffep0", "1.999999999999999999891579782751449556599"},
		{"0x1.ffffffffffffffffp0", "2"}, // 65 bits, tie: rounds to even
		{"-0x1P-3", "-0.125"},
		{"0", "0"},
	}
	for _, tt := range tests {
		v, ok := parseLongDouble([]byte(tt.in))
		if !ok {
			t.Errorf("parseLongDouble(%q) failed", tt.in)
			continue
		}
		if got := v.Text('g', 40); got != tt.want {
			t.Errorf("parseLongDouble(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if v.Prec() != longDoublePrec {
			t.Errorf("parseLongDouble(%q) has precision %d", tt.in, v.Prec())
		}
	}
}

// ldCases were produced by redis-server 7.0.15 (FLUSHALL before each case).
// A reply "long:N:PREFIX...SUFFIX" stands for a bulk string of N bytes with
// that prefix and suffix.
var ldCases = []lhCase{
	{"simple", []lhStep{
		{"INCRBYFLOAT k 1.1", "\"1.1\""},
		{"INCRBYFLOAT k 2.2", "\"3.3\""},
		{"GET k", "\"3.3\""},
	}},
	{"exact tenths", []lhStep{
		{"INCRBYFLOAT k 0.1", "\"0.1\""},
		{"INCRBYFLOAT k 0.2", "\"0.3\""},
		{"INCRBYFLOAT k 0.3", "\"0.6\""},
	}},
	{"long double noise", []lhStep{
		{"INCRBYFLOAT k 1000.1", "\"1000.09999999999999998\""},
		{"INCRBYFLOAT k 0.1", "\"1000.19999999999999996\""},
	}},
	{"noise near 1e15", []lhStep{
		{"INCRBYFLOAT k 1e15", "\"1000000000000000\""},
		{"INCRBYFLOAT k 0.3", "\"1000000000000000.29998779296875\""},
	}},
	{"cancellation", []lhStep{
		{"INCRBYFLOAT k 1", "\"1\""},
		{"INCRBYFLOAT k -1.1", "\"-0.1\""},
		{"INCRBYFLOAT k 2.5", "\"2.4\""},
		{"INCRBYFLOAT k -2.4", "\"0\""},
	}},
	{"exponents", []lhStep{
		{"INCRBYFLOAT k 1e-5", "\"0.00001\""},
		{"INCRBYFLOAT k 5e3", "\"5000.00001000000000007\""},
		{"INCRBYFLOAT k 1.5e20", "\"150000000000000005008\""},
		{"INCRBYFLOAT k -1.5e20", "\"5008\""},
	}},
	{"seventeen digits", []lhStep{
		{"INCRBYFLOAT k 12345678901234567", "\"12345678901234567\""},
		{"INCRBYFLOAT k 0.30000000000000004", "\"12345678901234567.2998046875\""},
	}},
	{"many digits", []lhStep{
		{"INCRBYFLOAT k 3.14159265358979323846264338327950288", "\"3.14159265358979324\""},
		{"INCRBYFLOAT k 100", "\"103.14159265358979324\""},
	}},
	{"integral results", []lhStep{
		{"INCRBYFLOAT k 3.0", "\"3\""},
		{"INCRBYFLOAT k 10.50", "\"13.5\""},
		{"INCRBYFLOAT k 5.0e3", "\"5013.5\""},
		{"INCRBYFLOAT k 1e20", "\"100000000000000005016\""},
	}},
	{"hex", []lhStep{
		{"INCRBYFLOAT k 0x10", "\"16\""},
		{"INCRBYFLOAT k 0x1.8p1", "\"19\""},
		{"INCRBYFLOAT k -0X1P-3", "\"18.875\""},
	}},
	{"tie at the 17th decimal", []lhStep{
		{"INCRBYFLOAT k 0x1p-18", "\"0.00000381469726562\""},
		{"INCRBYFLOAT k 0x1p-18", "\"0.00000762939453125\""},
	}},
	{"rounding half even on input", []lhStep{
		{"INCRBYFLOAT k 1000.000000000000000055511151231257827021181583404541015625", "\"1000.00000000000000006\""},
		{"INCRBYFLOAT k 0", "\"1000.00000000000000006\""},
	}},
	{"tiny values print as 0", []lhStep{
		{"INCRBYFLOAT k -1e-20", "\"0\""},
		{"INCRBYFLOAT k 5e-18", "\"0\""},
		{"INCRBYFLOAT k 1e-17", "\"0.00000000000000001\""},
		{"INCRBYFLOAT k -0", "\"0.00000000000000001\""},
	}},
	{"negative zero", []lhStep{
		{"INCRBYFLOAT k -0", "\"0\""},
		{"INCRBYFLOAT k -0.0", "\"0\""},
		{"GET k", "\"0\""},
	}},
	{"int64 edges", []lhStep{
		{"SET k -9223372036854775808", "+OK"},
		{"INCRBYFLOAT k 0", "\"-9223372036854775808\""},
		{"SET k 9223372036854775807", "+OK"},
		{"INCRBYFLOAT k 1", "\"9223372036854775808\""},
		{"INCRBYFLOAT k 18446744073709551615", "\"27670116110564327424\""},
	}},
	{"beyond 2^64", []lhStep{
		{"INCRBYFLOAT k 36893488147419103233", "\"36893488147419103232\""},
		{"INCRBYFLOAT k 1", "\"36893488147419103232\""},
	}},
	{"beyond float64", []lhStep{
		{"INCRBYFLOAT k 1e400", "long:401:1000000000000000000028188068394758651458...43732497430221946880"},
		{"INCRBYFLOAT k -1e400", "\"0\""},
	}},
	{"near LDBL_MAX", []lhStep{
		{"INCRBYFLOAT k 1.18e4932", "long:4933:1180000000000000000000652812918093699202...12585853888628785152"},
		{"INCRBYFLOAT k 1.18e4932", "-ERR increment would produce NaN or Infinity"},
		{"INCRBYFLOAT k -1.18e4932", "\"0\""},
	}},
	{"long double underflow", []lhStep{
		{"INCRBYFLOAT k 1e-4950", "\"0\""},
		{"INCRBYFLOAT k 1e-4951", "-ERR value is not a valid float"},
		{"INCRBYFLOAT k 0e-99999", "\"0\""},
	}},
	{"infinity", []lhStep{
		{"INCRBYFLOAT k inf", "-ERR increment would produce NaN or Infinity"},
		{"INCRBYFLOAT k -Infinity", "-ERR increment would produce NaN or Infinity"},
		{"EXISTS k", ":0"},
		{"SET k inf", "+OK"},
		{"INCRBYFLOAT k 1", "-ERR increment would produce NaN or Infinity"},
		{"INCRBYFLOAT k -inf", "-ERR increment would produce NaN or Infinity"},
	}},
	{"nan", []lhStep{
		{"INCRBYFLOAT k nan", "-ERR value is not a valid float"},
		{"SET k nan", "+OK"},
		{"INCRBYFLOAT k 1", "-ERR value is not a valid float"},
	}},
	{"invalid increments", []lhStep{
		{"INCRBYFLOAT k \" 1\"", "-ERR value is not a valid float"},
		{"INCRBYFLOAT k \"1 \"", "-ERR value is not a valid float"},
		{"INCRBYFLOAT k 1e", "-ERR value is not a valid float"},
		{"INCRBYFLOAT k abc", "-ERR value is not a valid float"},
		{"INCRBYFLOAT k \"\"", "-ERR value is not a valid float"},
	}},
	{"c syntax", []lhStep{
		{"INCRBYFLOAT k .5", "\"0.5\""},
		{"INCRBYFLOAT k 5.", "\"5.5\""},
		{"INCRBYFLOAT k +007", "\"12.5\""},
		{"INCRBYFLOAT k 1E+2", "\"112.5\""},
	}},
	{"stored non-float", []lhStep{
		{"SET k abc", "+OK"},
		{"INCRBYFLOAT k 1", "-ERR value is not a valid float"},
		{"SET k \"1.5 \"", "+OK"},
		{"INCRBYFLOAT k 1", "-ERR value is not a valid float"},
	}},
	{"stored float is reparsed", []lhStep{
		{"SET k 0.1", "+OK"},
		{"INCRBYFLOAT k 0.2", "\"0.3\""},
		{"SET k 1000.1", "+OK"},
		{"INCRBYFLOAT k 0", "\"1000.09999999999999998\""},
	}},
	{"wrong type checked first", []lhStep{
		{"RPUSH k x", ":1"},
		{"INCRBYFLOAT k abc", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"INCRBYFLOAT k 1", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
	}},
	{"keeps the TTL", []lhStep{
		{"SET k 1.5 EX 100", "+OK"},
		{"INCRBYFLOAT k 1", "\"2.5\""},
		{"TTL k", ":100"},
	}},
	{"hash simple", []lhStep{
		{"HINCRBYFLOAT h f 1.1", "\"1.1\""},
		{"HINCRBYFLOAT h f 2.2", "\"3.3\""},
		{"HGET h f", "\"3.3\""},
	}},
	{"hash noise", []lhStep{
		{"HINCRBYFLOAT h f 1000.1", "\"1000.09999999999999998\""},
		{"HINCRBYFLOAT h f 1e15", "\"1000000000001000.0999755859375\""},
		{"HINCRBYFLOAT h f 0.3", "\"1000000000001000.39996337890625\""},
	}},
	{"hash exponents", []lhStep{
		{"HINCRBYFLOAT h f 1.5e20", "\"150000000000000000000\""},
		{"HINCRBYFLOAT h f 1e-5", "\"150000000000000000000\""},
		{"HINCRBYFLOAT h g 5e3", "\"5000\""},
	}},
	{"hash integers", []lhStep{
		{"HSET h f 10", ":1"},
		{"HINCRBYFLOAT h f 1.5", "\"11.5\""},
		{"HSET h g -9223372036854775808", ":1"},
		{"HINCRBYFLOAT h g -1", "\"-9223372036854775809\""},
	}},
	{"hash infinity", []lhStep{
		{"HINCRBYFLOAT h f inf", "-ERR value is NaN or Infinity"},
		{"HINCRBYFLOAT h f -inf", "-ERR value is NaN or Infinity"},
		{"EXISTS h", ":0"},
		{"HSET h f inf", ":1"},
		{"HINCRBYFLOAT h f 1", "-ERR increment would produce NaN or Infinity"},
	}},
	{"hash nan", []lhStep{
		{"HINCRBYFLOAT h f nan", "-ERR value is not a valid float"},
		{"HSET h f nan", ":1"},
		{"HINCRBYFLOAT h f 1", "-ERR hash value is not a float"},
	}},
	{"hash beyond float64", []lhStep{
		{"HINCRBYFLOAT h f 1e400", "long:401:1000000000000000000028188068394758651458...43732497430221946880"},
		{"HINCRBYFLOAT h f 1e400", "long:401:2000000000000000000056376136789517302917...87464994860443893760"},
	}},
	{"hash near LDBL_MAX", []lhStep{
		{"HINCRBYFLOAT h f 1.18e4932", "long:4933:1180000000000000000000652812918093699202...12585853888628785152"},
		{"HINCRBYFLOAT h f 1.18e4932", "-ERR increment would produce NaN or Infinity"},
		{"HGET h f", "long:4933:1180000000000000000000652812918093699202...12585853888628785152"},
	}},
	{"hash stored non-float", []lhStep{
		{"HSET h f abc", ":1"},
		{"HINCRBYFLOAT h f 1", "-ERR hash value is not a float"},
		{"HINCRBYFLOAT h f abc", "-ERR value is not a valid float"},
	}},
	{"hash invalid increment", []lhStep{
		{"HINCRBYFLOAT h f \" 1\"", "-ERR value is not a valid float"},
		{"HINCRBYFLOAT h f 0x", "-ERR value is not a valid float"},
		{"EXISTS h", ":0"},
	}},
	{"hash tiny", []lhStep{
		{"HINCRBYFLOAT h f 1e-4950", "\"0\""},
		{"HINCRBYFLOAT h f -1e-20", "\"0\""},
		{"HINCRBYFLOAT h f 1e-4951", "-ERR value is not a valid float"},
	}},
	{"hash wrong type", []lhStep{
		{"SET h x", "+OK"},
		{"HINCRBYFLOAT h f 1", "-WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"HINCRBYFLOAT h f nan", "-ERR value is not a valid float"},
	}},
	{"hash hex", []lhStep{
		{"HINCRBYFLOAT h f 0x1p-18", "\"0.00000381469726562\""},
		{"HINCRBYFLOAT h f 0xA.8", "\"10.50000381469726562\""},
	}},
}

func Test_IncrByFloatMatchesRedis(t *testing.T) {
	for _, tc := range ldCases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			for _, st := range tc.steps {
				got := lhFmt(lhDo(t, s, lhSplit(t, st.cmd)...))
				if long, ok := strings.CutPrefix(st.want, "long:"); ok {
					n, rest, _ := strings.Cut(long, ":")
					prefix, suffix, _ := strings.Cut(rest, "...")
					size, _ := strconv.Atoi(n)
					v, err := strconv.Unquote(got)
					if err != nil || len(v) != size || !strings.HasPrefix(v, prefix) || !strings.HasSuffix(v, suffix) {
						t.Errorf("%s\n got: %.80s... (%d bytes)\nwant: %s", st.cmd, got, len(v), st.want)
					}
					continue
				}
				if got != st.want {
					t.Errorf("%s\n got: %s\nwant: %s", st.cmd, got, st.want)
				}
			}
		})
	}
}
