package fsm

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// This file reproduces the number parsing and formatting rules of Redis 7.0
// (util.c string2ll/string2d/string2ld/ld2string, networking.c
// addReplyDouble, t_zset.c zslParseRange). Clients observe these rules
// directly (which arguments are rejected, how scores and INCRBYFLOAT results
// are printed), so they are ported byte-for-byte where Go allows it.

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses
// inputs of this length or longer.
const maxLongDoubleChars = 5 * 1024

// formatInt formats i the way Redis's ll2string does (plain base 10).
func formatInt(i int64) string {
	return strconv.FormatInt(i, 10)
}

// parseInt64Arg parses b exactly like Redis's string2ll: an optional '-',
// then digits with no leading zeros ("0" itself is allowed, "-0" is not),
// no '+', no spaces, and no overflow of int64.
func parseInt64Arg(b []byte) (int64, bool) {
	// LONG_STR_SIZE (21) bounds the input; any valid int64 is at most 20
	// bytes, so the bound only matters as a cheap early rejection.
	if len(b) == 0 || len(b) > 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true // for v == 1<<63 this wraps to MinInt64, as intended
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// formatDouble formats a score the way Redis 7.0's addReplyDouble does:
// printf("%.17g") for finite values and "inf"/"-inf" for infinities. Go's
// 'g' formatting with an explicit precision follows the same rules as C's
// (exponent when exp < -4 or exp >= 17, trailing zeros removed, at least two
// exponent digits), so 1.1 gives "1.1000000000000001" and -0 gives "-0".
func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// longDoublePrec is the mantissa width of the x87 80-bit long double in
// which Redis computes INCRBYFLOAT and HINCRBYFLOAT.
const longDoublePrec = 64

// newLongDouble returns a zero big.Float with long double precision and
// rounding.
func newLongDouble() *big.Float {
	return new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
}

// formatLongDouble formats a long double value the way Redis's
// ld2string(LD_STR_HUMAN) does for INCRBYFLOAT and HINCRBYFLOAT results:
// printf("%.17Lf") (the exact binary value rounded half-to-even at 17
// decimals, as glibc does, never an exponent), then trailing zeros and a
// trailing '.' removed, and "-0" printed as "0". So 0.1+0.2 gives "0.3",
// 1000.1 gives "1000.09999999999999998" and 1e20 gives
// "100000000000000000000". Infinities print as "inf" and "-inf", though the
// callers never store them.
func formatLongDouble(f *big.Float) string {
	if f.IsInf() {
		if f.Sign() > 0 {
			return "inf"
		}
		return "-inf"
	}
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// addLongDouble returns a+b rounded to long double precision, with ok false
// when the sum is NaN or infinite (an infinite operand, or a finite sum
// beyond LDBL_MAX), which INCRBYFLOAT and HINCRBYFLOAT reject.
func addLongDouble(a, b *big.Float) (sum *big.Float, ok bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false // inf+x is inf, inf-inf is NaN
	}
	sum = newLongDouble().Add(a, b)
	if sum.MantExp(nil) > ldMaxExp {
		return nil, false // rounded past LDBL_MAX: +-inf in x87 arithmetic
	}
	return sum, true
}

// parseLongDouble parses an INCRBYFLOAT/HINCRBYFLOAT operand or stored value
// like Redis's string2ld: the rules of parseFloatArg, plus a length limit of
// MAX_LONG_DOUBLE_CHARS, but range checks against long double limits (about
// 3.6e-4951 to 1.19e4932) rather than float64 ones. "inf" is accepted (the
// callers reject it or the infinite sum). The value is rounded to the 64-bit
// long double mantissa once, like strtold, from the exact decimal or hex
// value. Long double subnormals keep the full 64 bits here; they are all far
// below what the 17 printed decimals can show.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) {
		return nil, false
	}
	r := cFloatPrefix(b)
	if r.n != len(b) {
		return nil, false
	}
	v, rangeErr := cStrtod(r)
	if math.IsNaN(v) {
		return nil, false
	}
	if rangeErr && !fitsLongDouble(r.lit) {
		return nil, false
	}
	return longDoubleValue(r), true
}

// longDoubleValue converts a literal accepted by parseLongDouble to its
// correctly rounded long double value.
func longDoubleValue(r cFloat) *big.Float {
	z := newLongDouble()
	switch r.lit {
	case "inf":
		return z.SetInf(false)
	case "-inf":
		return z.SetInf(true)
	}
	lit := r.lit
	neg := false
	if lit[0] == '+' || lit[0] == '-' {
		neg = lit[0] == '-'
		lit = lit[1:]
	}
	if !r.nonzero {
		if neg {
			z.Neg(z)
		}
		return z
	}
	base, expChar := 10, byte('e')
	if len(lit) > 2 && lit[0] == '0' && (lit[1]|0x20) == 'x' {
		base, expChar = 16, 'p'
		lit = lit[2:]
	}
	// The mantissa digits form an integer m; every fractional digit lowers
	// the exponent by one (base 10) or by four binary places (base 16).
	mant, exp := lit, int64(0)
	if i := strings.IndexByte(strings.ToLower(lit), expChar); i >= 0 {
		mant, exp = lit[:i], parseExpSaturating(lit[i+1:])
	}
	digits := mant
	if dot := strings.IndexByte(mant, '.'); dot >= 0 {
		digits = mant[:dot] + mant[dot+1:]
		frac := int64(len(mant) - dot - 1)
		if base == 16 {
			frac *= 4
		}
		exp -= frac
	}
	m, _ := new(big.Int).SetString(digits, base) // validated by cFloatPrefix
	if base == 16 {
		// m * 2^exp: rounding m to 64 bits is the only inexact step. The
		// literal fits the long double range, so exp fits an int.
		z.SetInt(m)
		z.SetMantExp(z, int(exp))
	} else if exp >= 0 {
		// m * 10^exp, computed exactly and rounded once. The literal is
		// shorter than MAX_LONG_DOUBLE_CHARS and its value is within the
		// long double range, so |exp| stays near 10^4 at most.
		m.Mul(m, new(big.Int).Exp(big.NewInt(10), big.NewInt(exp), nil))
		z.SetInt(m)
	} else {
		num := new(big.Float).SetInt(m) // exact: precision follows m
		den := new(big.Float).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(-exp), nil))
		z.Quo(num, den)
	}
	if neg {
		z.Neg(z)
	}
	return z
}

// parseExpSaturating parses a validated exponent (optional sign, decimal
// digits), saturating at +-2^40 instead of overflowing.
func parseExpSaturating(s string) int64 {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var e int64
	for i := 0; i < len(s); i++ {
		if e < 1<<40 {
			e = e*10 + int64(s[i]-'0')
		}
	}
	if neg {
		return -e
	}
	return e
}

// isCSpace reports whether c is whitespace for C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// cFloat is a number recognised by cFloatPrefix.
type cFloat struct {
	n       int    // bytes consumed
	lit     string // the consumed text in Go syntax; "inf", "-inf" or "nan" for the specials
	nonzero bool   // the mantissa has a nonzero digit
}

// cFloatPrefix scans the longest prefix of b that glibc's strtod/strtold
// would consume (leading whitespace excluded). n is 0 when strtod would
// perform no conversion. Redis hands its arguments to strtod, so this grammar
// (hex floats, "infinity", "nan(...)", "5.", ".5") decides what is a valid
// float, not Go's grammar (which has underscores and needs a 'p' exponent in
// hex floats).
func cFloatPrefix(b []byte) cFloat {
	var r cFloat
	i := 0
	negative := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		negative = b[i] == '-'
		i++
	}
	if n := matchFold(b[i:], "inf"); n > 0 {
		r.n = i + n
		if m := matchFold(b[i+n:], "inity"); m > 0 {
			r.n += m
		}
		r.lit = "inf"
		if negative {
			r.lit = "-inf"
		}
		return r
	}
	if n := matchFold(b[i:], "nan"); n > 0 {
		r.n, r.lit = i+n, "nan"
		if j := r.n; j < len(b) && b[j] == '(' {
			j++
			for j < len(b) && (isAlnum(b[j]) || b[j] == '_') {
				j++
			}
			if j < len(b) && b[j] == ')' {
				r.n = j + 1
			}
		}
		return r
	}
	digit, exp, hex := isDigit, byte('e'), false
	if i+2 < len(b) && b[i] == '0' && (b[i+1] == 'x' || b[i+1] == 'X') {
		// Without a hex digit after it, "0x" is just the number 0.
		if mant, _ := scanMantissa(b[i+2:], isHexDigit); mant > 0 {
			digit, exp, hex = isHexDigit, 'p', true
			i += 2
		}
	}
	start := i
	mant, nonzero := scanMantissa(b[i:], digit)
	if mant == 0 {
		return cFloat{}
	}
	i += mant
	r.nonzero = nonzero
	if i < len(b) && (b[i]|0x20) == exp {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for k < len(b) && isDigit(b[k]) {
			k++
		}
		if k > j {
			i = k
		}
	}
	r.n = i
	r.lit = string(b[:i])
	if hex && !strings.ContainsAny(r.lit[start:], "pP") {
		r.lit += "p0" // C makes the binary exponent optional, Go does not
	}
	return r
}

// scanMantissa scans digits with at most one '.', returning the bytes
// consumed (0 unless at least one digit was seen) and whether any digit is
// nonzero.
func scanMantissa(b []byte, digit func(byte) bool) (n int, nonzero bool) {
	digits, dot := 0, false
	for n < len(b) {
		switch c := b[n]; {
		case digit(c):
			digits++
			nonzero = nonzero || c != '0'
		case c == '.' && !dot:
			dot = true
		default:
			if digits == 0 {
				return 0, false
			}
			return n, nonzero
		}
		n++
	}
	if digits == 0 {
		return 0, false
	}
	return n, nonzero
}

// matchFold returns len(word) if b starts with word, ignoring ASCII case,
// else 0.
func matchFold(b []byte, word string) int {
	if len(b) < len(word) {
		return 0
	}
	for i := 0; i < len(word); i++ {
		if b[i]|0x20 != word[i] {
			return 0
		}
	}
	return len(word)
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isAlnum(c byte) bool    { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }

// cStrtod converts a scanned literal to float64 the way glibc's strtod does,
// also reporting whether strtod would set errno to ERANGE because the value
// overflowed to infinity or underflowed to zero.
func cStrtod(r cFloat) (v float64, rangeErr bool) {
	switch r.lit {
	case "inf":
		return math.Inf(1), false
	case "-inf":
		return math.Inf(-1), false
	case "nan":
		return math.NaN(), false
	}
	// The literal has been validated, so the only possible error is ErrRange
	// on overflow, which already yields the ±Inf that strtod returns.
	v, _ = strconv.ParseFloat(r.lit, 64)
	return v, math.IsInf(v, 0) || (v == 0 && r.nonzero)
}

// parseFloatArg parses a float argument such as a ZADD score exactly like
// Redis's string2d: the whole of b must be a strtod number (hex and
// "inf"/"infinity" in any case included), with no leading whitespace, and
// NaN, overflow and underflow to zero are rejected.
func parseFloatArg(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	r := cFloatPrefix(b)
	if r.n != len(b) {
		return 0, false
	}
	v, rangeErr := cStrtod(r)
	if rangeErr || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// Limits of the x87 80-bit long double that Redis's string2ld parses into,
// as big.Float binary exponents (mantissa in [0.5, 1)).
const (
	ldMaxExp       = 16384  // LDBL_MAX < 2^16384
	ldMinDenormExp = -16444 // LDBL_TRUE_MIN == 0.5 * 2^-16444
)

// parseLongDoubleArg accepts exactly what parseLongDouble (Redis's
// string2ld) accepts, but returns the value as a float64, which is all that
// blocking-command timeouts need. A value inside the long double range but
// beyond float64's is returned as ±Inf, and one too small for float64 as ±0
// or a subnormal.
func parseLongDoubleArg(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) {
		return 0, false
	}
	r := cFloatPrefix(b)
	if r.n != len(b) {
		return 0, false
	}
	v, rangeErr := cStrtod(r)
	if math.IsNaN(v) {
		return 0, false
	}
	if rangeErr && !fitsLongDouble(r.lit) {
		return 0, false
	}
	return v, true
}

// fitsLongDouble reports whether strtold would parse lit (nonzero, outside
// the float64 range) without overflowing or underflowing to zero. big.Float
// has an effectively unbounded exponent, so rounding to the 64-bit long
// double mantissa and then inspecting the exponent is exact enough.
func fitsLongDouble(lit string) bool {
	f, _, err := big.ParseFloat(lit, 0, 64, big.ToNearestEven)
	if err != nil {
		return false
	}
	mant := new(big.Float)
	exp := f.MantExp(mant)
	if exp > ldMaxExp {
		return false
	}
	// Values up to half of LDBL_TRUE_MIN round (to even) to zero.
	toZero := exp < ldMinDenormExp-1 || (exp == ldMinDenormExp-1 && mant.Abs(mant).Cmp(big.NewFloat(0.5)) == 0)
	return !toZero
}
