package fsm

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/redraft/redraft/reply"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Lua scripting with Redis 7.0 semantics: EVAL, EVALSHA, EVAL_RO,
// EVALSHA_RO and SCRIPT.
//
// EVAL, EVALSHA and SCRIPT go through the log; a script runs inside the
// apply of its entry, as one step, on every replica alike (see script_vm.go
// for what keeps it deterministic). EVAL_RO and EVALSHA_RO run on the local
// state like any read and may only call read-only commands.
//
// The script cache (sha1 → body) is replicated state: EVAL and SCRIPT LOAD
// add to it, SCRIPT FLUSH empties it, and snapshots carry it. Compiled
// functions are derived from it and rebuilt on demand.
//
// The Lua environment matches Redis 7.0's: the base, table, string, math and
// coroutine libraries, redis, bit (LuaBitOp) and cjson, read-only globals,
// Redis's error formats and reply conversions (script_vm.go, script_lib.go,
// script_bit.go, script_cjson.go).
//
// Known differences from Redis 7.0:
//   - a script stops after a deterministic budget of VM instructions
//     (defaultScriptBudget) with "ERR Script exceeded the instruction budget
//     of N instructions script: <sha>, on @user_script:<line>." instead of
//     running until SCRIPT KILL; writes it made before stay applied, as with
//     any script error. SCRIPT KILL always answers NOTBUSY;
//   - EVAL_RO runs on the local read path, so it does not add its script to
//     the replicated cache (a later EVALSHA of it answers NOSCRIPT);
//   - compile errors have Lua's form "user_script:<line>: <problem> near
//     '<token>'" and the common problems Lua's words ('=' expected, 'end'
//     expected, unfinished string, ...), but gopher-lua's parser stops at
//     other places than Lua's in some cases ("return 1 1" is "unexpected
//     symbol near '1'" here, "'<eof>' expected near '1'" in Redis);
//   - numbers converted to strings by the ".." operator and by arithmetic
//     coercion follow gopher-lua (Go formatting: 0.1+0.2 .. "" gives
//     "0.30000000000000004", Lua gives "0.3"; "010"+0 is 8); tostring,
//     string.format, table.concat and redis.call arguments follow Lua/Redis;
//   - runtime errors do not name the variable involved ("attempt to index
//     a nil value", where Lua says "attempt to index local 'x' (a nil
//     value)"), and "#"/unary minus on a non-table report a nil value;
//   - math.random is seeded for every call from the log entry (Redis 7.0
//     keeps one generator across calls); math.randomseed(n) then gives
//     Redis's exact sequence. cjson settings and collectgarbage also do not
//     carry over between calls, and collectgarbage("count") is 0;
//   - cmsgpack and struct are not available; SCRIPT DEBUG YES/SYNC is
//     refused;
//   - RESP3 big numbers and verbatim strings of formats other than "txt"
//     returned by a script are sent as bulk / "txt" verbatim strings.

func scriptCommands() []*Command {
	return []*Command{
		{Name: "eval", Arity: -3, Flags: FlagWrite | FlagNoScript, Run: cmdEval},
		{Name: "evalsha", Arity: -3, Flags: FlagWrite | FlagNoScript, Run: cmdEvalSha},
		{Name: "eval_ro", Arity: -3, Flags: FlagReadOnly | FlagNoScript, Run: cmdEvalRO},
		{Name: "evalsha_ro", Arity: -3, Flags: FlagReadOnly | FlagNoScript, Run: cmdEvalShaRO},
		{Name: "script", Arity: -2, Flags: FlagWrite | FlagNoScript, Run: cmdScript},
	}
}

var (
	errNoScript      = reply.Err("NOSCRIPT No matching script. Please use EVAL.")
	errNumKeysNeg    = reply.Err("ERR Number of keys can't be negative")
	errNumKeysTooBig = reply.Err("ERR Number of keys can't be greater than number of args")
	errROWithWrite   = reply.Err("ERR Can not execute a script with write flag using *_ro command.")
)

// scriptChunkName is the chunk name scripts are compiled under; Redis loads
// them as "@user_script", which Lua shows as "user_script".
const scriptChunkName = "user_script"

// scriptCache is the Store's script state.
type scriptCache struct {
	// scripts maps a lower-case sha1 hex digest to its script: the
	// replicated part, changed only by applies.
	scripts map[string]*luaScript
	// vm runs the scripts of applies, which the store's write lock
	// serializes; created on first use.
	vm *luaVM
	// pool holds VMs for reads (EVAL_RO), which run concurrently under
	// the read lock.
	pool sync.Pool
	// budget is the instruction budget of one call (0: the default).
	budget int64
}

func (sc *scriptCache) limit() int64 {
	if sc.budget > 0 {
		return sc.budget
	}
	return defaultScriptBudget
}

// luaScript is a cached script. Its compiled form and shebang flags are
// derived from the body on first use.
type luaScript struct {
	body  []byte
	once  sync.Once
	proto *lua.FunctionProto
	flags scriptFlags
	err   string // the error reply when the body does not compile
}

func (ls *luaScript) prepare() {
	ls.once.Do(func() { ls.proto, ls.flags, ls.err = compileScript(ls.body) })
}

type scriptFlags uint8

const (
	scriptCompat   scriptFlags = 1 << iota // no shebang: Redis's eval compatibility mode
	scriptNoWrites                         // #!lua flags=no-writes
)

func sha1hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// compileScript parses the shebang and compiles the body as Redis 7.0's
// luaCreateFunction does, returning the error reply text on failure.
func compileScript(body []byte) (*lua.FunctionProto, scriptFlags, string) {
	flags, shebangLen, err := scriptShebang(body)
	if err != "" {
		return nil, 0, "ERR " + err
	}
	// The shebang line is skipped but its newline kept, so that line
	// numbers stay those of the script.
	proto, msg := compileLua(body[shebangLen:], scriptChunkName)
	if proto == nil {
		return nil, 0, "ERR Error compiling script (new function): " + msg
	}
	return proto, flags, ""
}

// scriptShebang is Redis 7.0's evalExtractShebangFlags.
func scriptShebang(body []byte) (scriptFlags, int, string) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return scriptCompat, 0, ""
	}
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return 0, 0, "Invalid script shebang"
	}
	parts := strings.Fields(string(body[:end]))
	if len(parts) == 0 {
		return 0, 0, "Invalid engine in script shebang"
	}
	if parts[0] != "#!lua" {
		return 0, 0, "Unexpected engine in script shebang: " + parts[0]
	}
	var flags scriptFlags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, 0, "Unknown lua shebang option: " + p
		}
		if list == "" {
			continue
		}
		for _, f := range strings.Split(list, ",") {
			switch f {
			case "no-writes":
				flags |= scriptNoWrites
			case "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys":
			default:
				return 0, 0, "Unexpected flag in script shebang: " + f
			}
		}
	}
	return flags, end, ""
}

// compileLua compiles a chunk, turning every failure (gopher-lua's parser
// and compiler errors, a nesting Lua would refuse, or a panic inside
// gopher-lua) into a Lua-style message "name:line: problem".
func compileLua(src []byte, name string) (proto *lua.FunctionProto, msg string) {
	if line := luaSyntaxTooDeep(src); line > 0 {
		return nil, fmt.Sprintf("%s:%d: chunk has too many syntax levels", name, line)
	}
	defer func() {
		if r := recover(); r != nil {
			proto, msg = nil, fmt.Sprintf("%s: %v", name, r)
		}
	}()
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		return nil, parseErrorText(err, name, src)
	}
	proto, err = lua.Compile(chunk, name)
	if err != nil {
		if ce, ok := err.(*lua.CompileError); ok {
			return nil, fmt.Sprintf("%s:%d: %s", name, ce.Line, ce.Message)
		}
		return nil, name + ": " + err.Error()
	}
	return proto, ""
}

// parseErrorText words a gopher-lua parse error like Lua 5.1's
// "user_script:1: unexpected symbol near '<eof>'".
func parseErrorText(err error, name string, src []byte) string {
	pe, ok := err.(*parse.Error)
	if !ok {
		return name + ": " + strings.TrimSpace(err.Error())
	}
	line, near := pe.Pos.Line, "'"+pe.Token+"'"
	problem := strings.TrimSpace(pe.Message)
	if line == parse.EOF {
		line, near = 1+bytes.Count(src, []byte("\n")), "'<eof>'"
		if problem == "syntax error" {
			problem = luaEOFExpectation(src)
		}
	}
	switch problem {
	case "syntax error", "Invalid token", "Invalid '~' token":
		problem = "unexpected symbol"
		if w := prevWord(src, pe.Pos.Line, pe.Pos.Column); w == "local" || w == "function" || w == "for" {
			problem = "'<name>' expected"
		}
	case "illegal hexadecimal number":
		problem = "malformed number"
	case "parse error":
		problem = "'=' expected"
	case "unterminated string":
		problem = "unfinished string"
		if pe.Pos.Line != parse.EOF {
			// gopher-lua reports the line after the newline that ended
			// the string and leaves the opening quote out of the token.
			line--
			lines := bytes.Split(src, []byte("\n"))
			if line >= 1 && line <= len(lines) {
				l := bytes.TrimRight(lines[line-1], "\r")
				if i := bytes.IndexByte(l, '\r'); i >= 0 {
					l = l[:i]
				}
				if i := bytes.LastIndexAny(l, `'"`); i >= 0 && string(l[i+1:]) == pe.Token {
					near = "'" + string(l[i:]) + "'"
				}
			}
		}
	case "unterminated multiline string":
		problem = "unfinished long string"
	case "invalid multiline comment":
		problem = "unfinished long comment"
	}
	return fmt.Sprintf("%s:%d: %s near %s", name, line, problem, near)
}

// prevWord returns the word that precedes the token at line:column (1-based
// line, gopher-lua's column of the token's last character), or "".
func prevWord(src []byte, line, column int) string {
	lines := bytes.Split(src, []byte("\n"))
	if line < 1 || line > len(lines) {
		return ""
	}
	// Join the text before the token, up to its line.
	var before []byte
	for i := 0; i < line-1; i++ {
		before = append(append(before, lines[i]...), '\n')
	}
	l := lines[line-1]
	col := min(max(column-1, 0), len(l))
	// Step back over the token itself.
	for col > 0 && (isAlnum(l[col-1]) || l[col-1] == '_') {
		col--
	}
	before = append(before, l[:col]...)
	before = bytes.TrimRight(before, " \t\r\n")
	end := len(before)
	start := end
	for start > 0 && (isAlnum(before[start-1]) || before[start-1] == '_') {
		start--
	}
	return string(before[start:end])
}

// lookupScript returns the cached script with the given digest, or nil.
func (s *Store) lookupScript(sha string) *luaScript {
	return s.scripts.scripts[sha]
}

// addScript caches a script; only applies change the cache.
func (s *Store) addScript(sha string, ls *luaScript) {
	if s.scripts.scripts == nil {
		s.scripts.scripts = make(map[string]*luaScript)
	}
	s.scripts.scripts[sha] = ls
}

// scriptByBody finds or compiles the script for body, caching it when the
// command is applied. It returns the error reply of a script that does not
// compile.
func (c *Ctx) scriptByBody(body []byte) (string, *luaScript, *reply.Value) {
	sha := sha1hex(body)
	ls := c.s.lookupScript(sha)
	if ls == nil {
		ls = &luaScript{body: bytes.Clone(body)}
		ls.prepare()
		if ls.err != "" {
			e := reply.Err(ls.err)
			return "", nil, &e
		}
		if c.write {
			c.s.addScript(sha, ls)
		}
	}
	return sha, ls, nil
}

func cmdEval(c *Ctx, args [][]byte) reply.Value      { return evalGeneric(c, args, false, false) }
func cmdEvalSha(c *Ctx, args [][]byte) reply.Value   { return evalGeneric(c, args, true, false) }
func cmdEvalRO(c *Ctx, args [][]byte) reply.Value    { return evalGeneric(c, args, false, true) }
func cmdEvalShaRO(c *Ctx, args [][]byte) reply.Value { return evalGeneric(c, args, true, true) }

// evalGeneric is Redis 7.0's evalGenericCommand.
func evalGeneric(c *Ctx, args [][]byte, bySha, ro bool) reply.Value {
	if bySha && len(args[1]) != 40 {
		return errNoScript // evalShaCommand checks this first
	}
	numkeys, ok := parseInt64Arg(args[2])
	if !ok {
		return errNotInt
	}
	if numkeys > int64(len(args)-3) {
		return errNumKeysTooBig
	}
	if numkeys < 0 {
		return errNumKeysNeg
	}
	var sha string
	var ls *luaScript
	if bySha {
		sha = strings.ToLower(string(args[1]))
		if ls = c.s.lookupScript(sha); ls == nil {
			return errNoScript
		}
	} else {
		var errv *reply.Value
		if sha, ls, errv = c.scriptByBody(args[1]); errv != nil {
			return *errv
		}
	}
	ls.prepare()
	if ls.err != "" {
		return reply.Err(ls.err)
	}
	readonly := ro
	if ls.flags&scriptCompat == 0 {
		if ls.flags&scriptNoWrites == 0 && ro {
			return errROWithWrite
		}
		if ls.flags&scriptNoWrites != 0 {
			readonly = true
		}
	}
	keys := args[3 : 3+numkeys]
	argv := args[3+numkeys:]
	run := &scriptRun{c: *c, sha: sha, readonly: readonly, resp: 2}
	sc := &c.s.scripts
	if c.write {
		// Applies hold the store's write lock: the store's own VM.
		if sc.vm == nil {
			sc.vm = newLuaVM()
		}
		return sc.vm.call(run, ls.proto, keys, argv, sc.limit())
	}
	vm, _ := sc.pool.Get().(*luaVM)
	if vm == nil {
		vm = newLuaVM()
	}
	defer sc.pool.Put(vm)
	return vm.call(run, ls.proto, keys, argv, sc.limit())
}

var scriptHelp = []string{
	"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
	"HELP",
	"    Prints this help.",
}

func cmdScript(c *Ctx, args [][]byte) reply.Value {
	sub := strings.ToLower(string(args[1]))
	var arityOK bool
	switch n := len(args); sub {
	case "help", "kill":
		arityOK = n == 2
	case "load", "debug":
		arityOK = n == 3
	case "exists":
		arityOK = n >= 3
	case "flush":
		arityOK = n >= 2
	default:
		return reply.Err("ERR unknown subcommand '" + truncate(string(args[1]), 128) + "'. Try SCRIPT HELP.")
	}
	if !arityOK {
		return wrongArity("script|" + sub)
	}
	switch sub {
	case "help":
		lines := make([]reply.Value, len(scriptHelp))
		for i, l := range scriptHelp {
			lines[i] = reply.Simple(l)
		}
		return reply.Array(lines)
	case "kill":
		return reply.Err("NOTBUSY No scripts in execution right now.")
	case "load":
		sha, _, errv := c.scriptByBody(args[2])
		if errv != nil {
			return *errv
		}
		return reply.BulkString(sha)
	case "exists":
		out := make([]reply.Value, 0, len(args)-2)
		for _, a := range args[2:] {
			var n int64
			if c.s.lookupScript(strings.ToLower(string(a))) != nil {
				n = 1
			}
			out = append(out, reply.Int(n))
		}
		return reply.Array(out)
	case "flush":
		if len(args) == 3 {
			if mode := strings.ToLower(string(args[2])); mode != "sync" && mode != "async" {
				return reply.Err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
			}
		} else if len(args) > 3 {
			return reply.Err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		}
		if c.write {
			c.s.scripts.scripts = nil
		}
		return reply.OK()
	default: // debug
		switch strings.ToLower(string(args[2])) {
		case "no":
			return reply.OK()
		case "yes", "sync":
			return reply.Err("ERR SCRIPT DEBUG is not supported")
		}
		return reply.Err("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// scriptDenied are the commands Redis 7.0 flags "noscript": a script may
// not call them whether or not this server implements them.
var scriptDenied = map[string]bool{
	"auth": true, "bgrewriteaof": true, "bgsave": true, "blmove": true, "blpop": true,
	"brpop": true, "brpoplpush": true, "bzpopmax": true, "bzpopmin": true, "debug": true,
	"discard": true, "eval": true, "eval_ro": true, "evalsha": true, "evalsha_ro": true,
	"exec": true, "failover": true, "fcall": true, "fcall_ro": true, "hello": true,
	"monitor": true, "multi": true, "psubscribe": true, "psync": true, "punsubscribe": true,
	"quit": true, "replconf": true, "replicaof": true, "reset": true, "role": true,
	"save": true, "shutdown": true, "slaveof": true, "ssubscribe": true, "subscribe": true,
	"sunsubscribe": true, "sync": true, "unsubscribe": true, "unwatch": true, "wait": true,
	"watch": true, "script": true, "acl": true, "client": true, "config": true,
	"function": true, "latency": true, "module": true,
}

// scriptServerCommands are connection-level commands a script may call that
// are not in the data command table; the script runs them itself.
var scriptServerCommands = map[string]int{"select": 2, "ping": -1, "echo": 2, "time": 1}

// exec runs one redis.call / redis.pcall command, with the checks of
// Redis 7.0's scriptCall in the same order.
func (r *scriptRun) exec(args [][]byte) reply.Value {
	name := LowerName(args[0])
	cmd := r.c.s.commands[name]
	if cmd == nil {
		if arity, ok := scriptServerCommands[name]; ok {
			if !arityOK(arity, len(args)) {
				return reply.Err("ERR Wrong number of args calling Redis command from script")
			}
			return r.serverCommand(name, args)
		}
		if scriptDenied[name] {
			return reply.Err("ERR This Redis command is not allowed from script")
		}
		return reply.Err("ERR Unknown Redis command called from script")
	}
	if !cmd.ArityOK(len(args)) {
		return reply.Err("ERR Wrong number of args calling Redis command from script")
	}
	if cmd.Flags&FlagNoScript != 0 || scriptDenied[name] {
		return reply.Err("ERR This Redis command is not allowed from script")
	}
	if r.readonly && cmd.IsWrite() {
		return reply.Err("ERR Write commands are not allowed from read-only scripts.")
	}
	return cmd.Run(&r.c, args)
}

func arityOK(arity, argc int) bool {
	if arity >= 0 {
		return argc == arity
	}
	return argc >= -arity
}

func (r *scriptRun) serverCommand(name string, args [][]byte) reply.Value {
	switch name {
	case "select":
		n, ok := parseInt64Arg(args[1])
		if !ok || n < -1<<31 || n > 1<<31-1 {
			return errNotInt
		}
		if n < 0 || n >= NumDBs {
			return errDBIndexRange
		}
		r.c.dbNum = int(n)
		r.c.db = r.c.s.dbs[n]
		return reply.OK()
	case "ping":
		switch len(args) {
		case 1:
			return reply.Simple("PONG")
		case 2:
			return reply.Bulk(bytes.Clone(args[1]))
		}
		return wrongArity("ping")
	case "echo":
		return reply.Bulk(bytes.Clone(args[1]))
	default: // time: the command's clock, which is the log's when applying
		now := r.c.now
		return reply.Array([]reply.Value{
			reply.BulkString(strconv.FormatInt(now/1000, 10)),
			reply.BulkString(strconv.FormatInt(now%1000*1000, 10)),
		})
	}
}

// redisLib builds the redis table of Redis 7.0's scripting API.
func (vm *luaVM) redisLib() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return vm.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return vm.redisCall(L, false) },
		"sha1hex":            luaSha1hex,
		"error_reply":        luaErrorReply,
		"status_reply":       luaStatusReply,
		"log":                luaLog,
		"setresp":            vm.setresp,
		"set_repl":           luaSetRepl,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
		"acl_check_cmd":      vm.aclCheckCmd,
	}
	for _, k := range sortedKeys(fns) {
		t.RawSetString(k, L.NewFunction(fns[k]))
	}
	for _, c := range []struct {
		name string
		v    lua.LValue
	}{
		{"LOG_DEBUG", lua.LNumber(0)}, {"LOG_VERBOSE", lua.LNumber(1)},
		{"LOG_NOTICE", lua.LNumber(2)}, {"LOG_WARNING", lua.LNumber(3)},
		{"REPL_NONE", lua.LNumber(0)}, {"REPL_AOF", lua.LNumber(1)},
		{"REPL_SLAVE", lua.LNumber(2)}, {"REPL_REPLICA", lua.LNumber(2)},
		{"REPL_ALL", lua.LNumber(3)},
		{"REDIS_VERSION", lua.LString("7.0.15")}, {"REDIS_VERSION_NUM", lua.LNumber(0x07000f)},
	} {
		t.RawSetString(c.name, c.v)
	}
	return t
}

// luaCallArgs converts redis.call arguments as Redis's luaArgsToRedisArgv:
// strings as they are, numbers with "%.17g"; anything else is refused.
func luaCallArgs(L *lua.LState) ([][]byte, string) {
	n := L.GetTop()
	if n == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	args := make([][]byte, n)
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			args[i-1] = []byte(string(v))
		case lua.LNumber:
			args[i-1] = []byte(formatCNumber(float64(v), 17))
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
	}
	return args, ""
}

func (vm *luaVM) redisCall(L *lua.LState, raiseErr bool) int {
	args, msg := luaCallArgs(L)
	if msg != "" {
		if raiseErr {
			raise(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	run := vm.run
	rv := run.exec(args)
	v := fromReply(L, rv, run.resp)
	if raiseErr && rv.Kind == reply.KindError {
		L.Error(v, 0)
	}
	L.Push(v)
	return 1
}

func (vm *luaVM) aclCheckCmd(L *lua.LState) int {
	args, msg := luaCallArgs(L)
	if msg != "" {
		raise(L, msg)
	}
	name := LowerName(args[0])
	if vm.run.c.s.commands[name] == nil && scriptServerCommands[name] == 0 {
		raise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}

// luaToNumberOr is lua_tonumber: the number, a converted string, or 0.
func luaToNumberOr(v lua.LValue) float64 {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x)
	case lua.LString:
		if f, ok := luaStr2Number(string(x)); ok {
			return f
		}
	}
	return 0
}

func (vm *luaVM) setresp(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "redis.setresp() requires one argument.")
	}
	resp := luaNumberToInt(luaToNumberOr(L.Get(1)))
	if resp != 2 && resp != 3 {
		raise(L, "RESP version must be 2 or 3.")
	}
	vm.run.resp = int(resp)
	return 0
}

func luaSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "wrong number of arguments")
	}
	var s string
	switch v := L.Get(1).(type) {
	case lua.LString:
		s = string(v)
	case lua.LNumber:
		s = formatLuaNumber(float64(v))
	}
	L.Push(lua.LString(sha1hex([]byte(s))))
	return 1
}

func luaErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, msg))
	return 1
}

func luaStatusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.NewTable()
	t.RawSetString("ok", s)
	L.Push(t)
	return 1
}

// luaLog validates its arguments like Redis's redis.log and discards the
// message: the state machine has no log of its own.
func luaLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raise(L, "redis.log() requires two arguments or more.")
	}
	switch L.Get(1).(type) {
	case lua.LNumber:
	case lua.LString:
		if _, ok := luaStr2Number(string(L.Get(1).(lua.LString))); !ok {
			raise(L, "First argument must be a number (log level).")
		}
	default:
		raise(L, "First argument must be a number (log level).")
	}
	if level := luaNumberToInt(luaToNumberOr(L.Get(1))); level < 0 || level > 3 {
		raise(L, "Invalid debug level.")
	}
	return 0
}

func luaSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "redis.set_repl() requires two arguments.")
	}
	if flags := int32(luaNumberToInt(luaToNumberOr(L.Get(1)))); flags&^3 != 0 {
		raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

// scriptBodies returns the cached scripts' bodies (shared, never modified)
// for a snapshot.
func (s *Store) scriptBodies() map[string][]byte {
	out := make(map[string][]byte, len(s.scripts.scripts))
	for sha, ls := range s.scripts.scripts {
		out[sha] = ls.body
	}
	return out
}

// sortedShas returns the digests of m in order, so that snapshots list
// scripts identically on every replica.
func sortedShas(m map[string][]byte) []string {
	shas := make([]string, 0, len(m))
	for sha := range m {
		shas = append(shas, sha)
	}
	sort.Strings(shas)
	return shas
}
