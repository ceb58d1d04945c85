package diff

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Comparison modes of a corpus line.
const (
	modeExact     = 0
	modeUnordered = '~'
	modeType      = '!'
)

// corpusLine is one command of a corpus file.
type corpusLine struct {
	file string // base name of the corpus file
	no   int    // 1-based line number
	text string // the line as written, without the mode prefix
	mode byte
	args []string
}

func (l corpusLine) where() string { return fmt.Sprintf("%s:%d", l.file, l.no) }

// corpusCase is a run of commands without blank lines between them.
type corpusCase struct {
	file  string
	line  int // line number of its first command
	lines []corpusLine
}

func (c corpusCase) name() string { return fmt.Sprintf("%s:%d", c.file, c.line) }

// parseCorpusFile reads a corpus file into its cases.
func parseCorpusFile(path string) ([]corpusCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	base := filepath.Base(path)
	var cases []corpusCase
	var cur *corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	no := 0
	for sc.Scan() {
		no++
		text := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimLeft(text, " \t")
		if trimmed == "" {
			cur = nil
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		l := corpusLine{file: base, no: no}
		switch {
		case strings.HasPrefix(trimmed, "~ "):
			l.mode, trimmed = modeUnordered, trimmed[2:]
		case strings.HasPrefix(trimmed, "! "):
			l.mode, trimmed = modeType, trimmed[2:]
		}
		l.text = trimmed
		args, err := splitArgs(trimmed)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", base, no, err)
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("%s:%d: no command", base, no)
		}
		l.args = args
		if cur == nil {
			cases = append(cases, corpusCase{file: base, line: no})
			cur = &cases[len(cases)-1]
		}
		cur.lines = append(cur.lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", base, err)
	}
	return cases, nil
}

// splitArgs splits a corpus line into arguments the way redis-cli does:
// whitespace separates arguments; "double quotes" allow escapes; 'single
// quotes' allow only \'. A closing quote must be followed by whitespace or
// the end of the line.
func splitArgs(s string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			return args, nil
		}
		var b strings.Builder
		switch s[i] {
		case '"':
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unbalanced double quotes")
				}
				c := s[i]
				if c == '"' {
					i++
					break
				}
				if c != '\\' {
					b.WriteByte(c)
					i++
					continue
				}
				if i+1 >= len(s) {
					return nil, fmt.Errorf("backslash at end of line")
				}
				e := s[i+1]
				i += 2
				switch e {
				case 'n':
					b.WriteByte('\n')
				case 'r':
					b.WriteByte('\r')
				case 't':
					b.WriteByte('\t')
				case 'a':
					b.WriteByte('\a')
				case 'b':
					b.WriteByte('\b')
				case '"', '\\':
					b.WriteByte(e)
				case 'x':
					if i+2 > len(s) {
						return nil, fmt.Errorf("truncated \\x escape")
					}
					v, err := strconv.ParseUint(s[i:i+2], 16, 8)
					if err != nil {
						return nil, fmt.Errorf("bad \\x escape %q", s[i:i+2])
					}
					b.WriteByte(byte(v))
					i += 2
				default:
					return nil, fmt.Errorf("unknown escape \\%c", e)
				}
			}
		case '\'':
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unbalanced single quotes")
				}
				c := s[i]
				if c == '\'' {
					i++
					break
				}
				if c == '\\' && i+1 < len(s) && s[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				b.WriteByte(c)
				i++
			}
		default:
			for i < len(s) && s[i] != ' ' && s[i] != '\t' {
				if s[i] == '"' || s[i] == '\'' {
					return nil, fmt.Errorf("quote inside an unquoted argument at column %d", i+1)
				}
				b.WriteByte(s[i])
				i++
			}
			args = append(args, b.String())
			continue
		}
		if i < len(s) && s[i] != ' ' && s[i] != '\t' {
			return nil, fmt.Errorf("closing quote must be followed by a space (column %d)", i+1)
		}
		args = append(args, b.String())
	}
}
