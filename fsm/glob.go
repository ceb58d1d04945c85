package fsm

// globMaxNesting is the recursion limit Redis 7.0 applies to '*' handling
// (CVE-2022-36021): deeper patterns simply fail to match instead of
// exhausting the stack.
const globMaxNesting = 1000

// globMatch reports whether s matches the glob pattern, as used by KEYS,
// SCAN MATCH, PSUBSCRIBE and friends. It is a faithful port of Redis 7.0's
// stringmatchlen, including its quirks, because clients can observe them:
//
//   - '*' never matches when s is empty (so "**" does not match ""; Redis
//     only special-cases the exact pattern "*" in KEYS and SCAN);
//   - an unterminated '[' set ends at the last pattern byte, and "[^" alone
//     matches any single byte;
//   - "[a-]" is the range 'a'..']', ranges may be reversed ("[z-a]"), and
//     range bounds compare as signed chars, as on x86-64 where char is
//     signed (so "[a-\xff]" is the range -1..'a');
//   - a trailing lone backslash matches a literal backslash.
func globMatch(pattern, s []byte, nocase bool) bool {
	skipLongerMatches := false
	return globMatchImpl(pattern, s, nocase, &skipLongerMatches, 0)
}

// globMatchImpl is stringmatchlen_impl. skipLongerMatches is shared by the
// whole match: once the pattern after some '*' cannot match anywhere in the
// rest of s, no earlier '*' can help by consuming more of s, which bounds
// the backtracking that patterns such as "*a*a*a*b" would otherwise cause.
func globMatchImpl(p, s []byte, nocase bool, skipLongerMatches *bool, nesting int) bool {
	if nesting > globMaxNesting {
		return false
	}
	// pi indexes p; the bracket code may step back one byte, so p is never
	// resliced. byteAt mirrors reading the sds NUL terminator past the end.
	pi := 0
	for pi < len(p) && len(s) > 0 {
		switch p[pi] {
		case '*':
			for pi+1 < len(p) && p[pi+1] == '*' {
				pi++
			}
			if pi+1 == len(p) {
				return true
			}
			for len(s) > 0 {
				if globMatchImpl(p[pi+1:], s, nocase, skipLongerMatches, nesting+1) {
					return true
				}
				if *skipLongerMatches {
					return false
				}
				s = s[1:]
			}
			*skipLongerMatches = true
			return false
		case '?':
			s = s[1:]
		case '[':
			pi++
			not := byteAt(p, pi) == '^'
			if not {
				pi++
			}
			match := false
			for {
				rest := len(p) - pi
				c := byteAt(p, pi)
				if c == '\\' && rest >= 2 {
					pi++
					if p[pi] == s[0] {
						match = true
					}
				} else if c == ']' {
					break
				} else if rest == 0 {
					// Unterminated set: treat the last byte as its end.
					pi--
					break
				} else if rest >= 3 && p[pi+1] == '-' {
					start, end, sc := signedChar(c), signedChar(p[pi+2]), signedChar(s[0])
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, sc = lowerInt(start), lowerInt(end), lowerInt(sc)
					}
					pi += 2
					if sc >= start && sc <= end {
						match = true
					}
				} else if equalByte(c, s[0], nocase) {
					match = true
				}
				pi++
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p)-pi >= 2 {
				pi++
			}
			fallthrough
		default:
			if !equalByte(p[pi], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		pi++
		if len(s) == 0 {
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			break
		}
	}
	return pi == len(p) && len(s) == 0
}

// byteAt returns p[i], or 0 (the C string terminator) past the end.
func byteAt(p []byte, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

// signedChar widens b the way C widens a (signed) char on x86-64.
func signedChar(b byte) int {
	return int(int8(b))
}

// lowerInt is C tolower in the "C" locale: only 'A'..'Z' change.
func lowerInt(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func equalByte(a, b byte, nocase bool) bool {
	if nocase {
		return lowerInt(int(a)) == lowerInt(int(b))
	}
	return a == b
}
