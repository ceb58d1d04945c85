package fsm

import (
	"fmt"
	"strings"
)

// luaMaxSyntaxLevels is Lua 5.1's LUAI_MAXCCALLS: the parser refuses a chunk
// whose blocks and expressions nest deeper than this ("chunk has too many
// syntax levels"), so no script that runs on Redis nests deeper.
const luaMaxSyntaxLevels = 200

// luaSyntaxTooDeep scans a chunk for nesting that real Lua would refuse and
// returns the line where the limit is crossed (0 if none). gopher-lua has no
// such limit: deeply nested blocks compile in quadratic time and long
// expression chains recurse without bound, and since every replica compiles
// the same script, one hostile EVAL could stall or crash all of them.
//
// The scan is a lower bound of what Lua's parser counts, so it never refuses
// a chunk that Lua accepts: every opening bracket and every block keyword
// (function, if, do, repeat) is one parser level in Lua; a chain of the
// right-associative operators ".." and "^" costs a level per operator, and
// a run of unary operators a level per operator.
func luaSyntaxTooDeep(src []byte) int {
	line, depth, chain, unary := 1, 0, 0, 0
	// prevOperand is whether the previous token ends an operand (a name,
	// literal, closing bracket), so that a following name or literal starts
	// a new statement and a following '-' is binary.
	prevOperand := false
	n := len(src)
	for i := 0; i < n; {
		c := src[i]
		operand, isUnary := false, false
		switch {
		case c == '\n':
			line++
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < n && src[i+1] == '-':
			i += 2
			if lvl := longBracketLevel(src[i:]); lvl >= 0 {
				i, line = skipLongBracket(src, i, lvl, line)
			} else {
				for i < n && src[i] != '\n' {
					i++
				}
			}
			continue
		case c == '[' && longBracketLevel(src[i:]) >= 0:
			i, line = skipLongBracket(src, i, longBracketLevel(src[i:]), line)
			operand = true
		case c == '\'' || c == '"':
			i++
			for i < n && src[i] != c && src[i] != '\n' {
				if src[i] == '\\' && i+1 < n {
					if src[i+1] == '\n' {
						line++
					}
					i++
				}
				i++
			}
			i++
			operand = true
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(src[i+1])):
			for i < n && (isAlnum(src[i]) || src[i] == '.' || src[i] == '_' ||
				((src[i] == '+' || src[i] == '-') && (src[i-1]|0x20 == 'e' || src[i-1]|0x20 == 'p'))) {
				i++
			}
			if prevOperand {
				chain = 0
			}
			operand = true
		case c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			j := i
			for j < n && (isAlnum(src[j]) || src[j] == '_') {
				j++
			}
			word := string(src[i:j])
			i = j
			if luaKeywords[word] {
				chain = 0
				switch word {
				case "function", "if", "do", "repeat":
					depth++
				case "end", "until":
					depth--
				case "not":
					isUnary = true
				case "nil", "true", "false":
					operand = true
				}
			} else {
				if prevOperand {
					chain = 0 // a new statement
				}
				operand = true
			}
		case c == '(' || c == '[' || c == '{':
			depth++
			i++
		case c == ')' || c == ']' || c == '}':
			depth--
			i++
			operand = true
		case c == '.' && i+1 < n && src[i+1] == '.':
			if i+2 < n && src[i+2] == '.' {
				i += 3
				operand = true
			} else {
				chain++
				i += 2
			}
		case c == '^':
			chain++
			i++
		case c == '=' || c == ',' || c == ';':
			chain = 0
			i++
		case c == '#' || (c == '-' && !prevOperand):
			isUnary = true
			i++
		default:
			i++
		}
		if isUnary {
			unary++
		} else {
			unary = 0
		}
		prevOperand = operand
		if depth > luaMaxSyntaxLevels || chain > luaMaxSyntaxLevels || unary > luaMaxSyntaxLevels {
			return line
		}
	}
	return 0
}

// longBracketLevel returns the level of a long bracket opening at the start
// of b ("[[" is 0, "[==[" is 2), or -1.
func longBracketLevel(b []byte) int {
	if len(b) == 0 || b[0] != '[' {
		return -1
	}
	i := 1
	for i < len(b) && b[i] == '=' {
		i++
	}
	if i < len(b) && b[i] == '[' {
		return i - 1
	}
	return -1
}

// skipLongBracket skips a long string or comment of the given level starting
// at src[i] (its opening bracket), counting lines; an unterminated one runs
// to the end (the parser reports it).
func skipLongBracket(src []byte, i, level, line int) (int, int) {
	i += level + 2
	for i < len(src) {
		switch src[i] {
		case '\n':
			line++
		case ']':
			j := i + 1
			for j < len(src) && src[j] == '=' {
				j++
			}
			if j < len(src) && src[j] == ']' && j-i-1 == level {
				return j + 1, line
			}
		}
		i++
	}
	return i, line
}

var luaKeywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "if": true, "in": true, "local": true,
	"nil": true, "not": true, "or": true, "repeat": true, "return": true, "then": true,
	"true": true, "until": true, "while": true, "goto": true,
}

// luaEOFExpectation guesses what Lua 5.1's parser reports for a chunk that
// ends too early: "'end' expected", "')' expected" and so on, with Lua's
// "(to close 'X' at line N)" when the opener is on an earlier line, or
// "unexpected symbol" when an expression is missing. gopher-lua only says
// "syntax error" at EOF.
func luaEOFExpectation(src []byte) string {
	type opener struct {
		tok   string
		line  int
		ready bool // if: "then" seen; while/for: "do" seen
	}
	var stack []opener
	line := 1
	last := "" // the last token, "" for names and literals
	n := len(src)
	for i := 0; i < n; {
		c := src[i]
		tok := ""
		switch {
		case c == '\n':
			line++
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < n && src[i+1] == '-':
			i += 2
			if lvl := longBracketLevel(src[i:]); lvl >= 0 {
				i, line = skipLongBracket(src, i, lvl, line)
			} else {
				for i < n && src[i] != '\n' {
					i++
				}
			}
			continue
		case c == '[' && longBracketLevel(src[i:]) >= 0:
			i, line = skipLongBracket(src, i, longBracketLevel(src[i:]), line)
		case c == '\'' || c == '"':
			i++
			for i < n && src[i] != c && src[i] != '\n' {
				if src[i] == '\\' && i+1 < n {
					i++
				}
				i++
			}
			i++
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(src[i+1])):
			for i < n && (isAlnum(src[i]) || src[i] == '.' || src[i] == '_' ||
				((src[i] == '+' || src[i] == '-') && (src[i-1]|0x20 == 'e' || src[i-1]|0x20 == 'p'))) {
				i++
			}
		case c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			j := i
			for j < n && (isAlnum(src[j]) || src[j] == '_') {
				j++
			}
			if w := string(src[i:j]); luaKeywords[w] && w != "nil" && w != "true" && w != "false" {
				tok = w
			}
			i = j
		case c == '.' && i+2 < n && src[i+1] == '.' && src[i+2] == '.':
			i += 3
		default:
			tok = string(c)
			if i+1 < n && strings.Contains("== ~= <= >= ..", string(src[i:i+2])) {
				tok = string(src[i : i+2])
			}
			i += len(tok)
		}
		top := len(stack) - 1
		switch tok {
		case "function", "if", "while", "for", "repeat", "(", "[", "{":
			stack = append(stack, opener{tok: tok, line: line})
		case "do":
			if top >= 0 && (stack[top].tok == "while" || stack[top].tok == "for") && !stack[top].ready {
				stack[top].ready = true
			} else {
				stack = append(stack, opener{tok: "do", line: line, ready: true})
			}
		case "then":
			if top >= 0 && stack[top].tok == "if" {
				stack[top].ready = true
			}
		case "elseif":
			if top >= 0 && stack[top].tok == "if" {
				stack[top].ready = false
			}
		case "end", "until", ")", "]", "}":
			if top >= 0 {
				stack = stack[:top]
			}
		}
		last = tok
	}
	switch last {
	case "local", "function", "for":
		return "'<name>' expected"
	case "", ")", "]", "}", "end", "then", "do", "else", "return", "break", "repeat":
	default:
		return "unexpected symbol"
	}
	if len(stack) == 0 {
		return "unexpected symbol"
	}
	top := stack[len(stack)-1]
	want := "end"
	switch {
	case top.tok == "if" && !top.ready:
		return "'then' expected"
	case (top.tok == "while" || top.tok == "for") && !top.ready:
		return "'do' expected"
	case top.tok == "repeat":
		want = "until"
	case top.tok == "(":
		want = ")"
	case top.tok == "[":
		return "']' expected"
	case top.tok == "{":
		want = "}"
	}
	if top.line == line {
		return "'" + want + "' expected"
	}
	return fmt.Sprintf("'%s' expected (to close '%s' at line %d)", want, top.tok, top.line)
}
