// Package image tests the container image without a container engine: it
// builds the binaries with the Dockerfile's own go build command, checks
// that they are static, and runs redraft as the image would, chrooted into
// a directory that holds nothing but the binaries and the data directory,
// as the image's user, with the image's environment. A node that needed
// anything from a base image (/etc/passwd, CA certificates, time zone data,
// /proc, /tmp) would fail here. It needs root (chroot, setuid); without it
// the test fails.
package image

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redraft/redraft/internal/testutil"
)

// dockerfile is what the test takes from the Dockerfile: the build stage's
// environment and go build command, and the runtime stage's settings.
type dockerfile struct {
	buildEnv   []string // ENV of the build stage, KEY=VALUE
	buildCmd   string   // the RUN command that runs go build (shell form)
	binDir     string   // the directory its -o names, copied to / at runtime
	user       string
	env        []string // ENV of the runtime stage
	expose     []string
	volumes    []string
	entrypoint []string
	cmd        []string
}

// parseDockerfile reads the instructions this test relies on. It knows
// only the forms the Dockerfile uses: continuation lines, whole-line
// comments, ENV KEY=VALUE lists without quotes, exec-form (JSON)
// ENTRYPOINT, CMD and VOLUME.
func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var cur strings.Builder
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || (l == "" && cur.Len() == 0) {
			continue
		}
		if rest, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(l)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	var d dockerfile
	stage := -1
	stages := map[string]int{}
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			stage++
			if f := strings.Fields(rest); len(f) >= 3 && strings.EqualFold(f[len(f)-2], "AS") {
				stages[f[len(f)-1]] = stage
			}
		case "ENV":
			if stage == 0 {
				d.buildEnv = append(d.buildEnv, strings.Fields(rest)...)
			} else {
				d.env = append(d.env, strings.Fields(rest)...)
			}
		case "RUN":
			if stage == 0 && strings.Contains(rest, "go build") {
				d.buildCmd = rest
				f := strings.Fields(rest)
				if i := slices.Index(f, "-o"); i >= 0 && i+1 < len(f) {
					d.binDir = f[i+1]
				}
			}
		case "USER":
			d.user = rest
		case "EXPOSE":
			d.expose = append(d.expose, strings.Fields(rest)...)
		case "VOLUME":
			d.volumes = append(d.volumes, jsonArray(t, l, rest)...)
		case "ENTRYPOINT":
			d.entrypoint = jsonArray(t, l, rest)
		case "CMD":
			d.cmd = jsonArray(t, l, rest)
		}
	}
	if stage != 1 || stages["build"] != 0 {
		t.Fatalf("Dockerfile: want a build stage named build and one runtime stage, found %d stages %v", stage+1, stages)
	}
	if d.buildCmd == "" || !strings.HasSuffix(d.binDir, "/") {
		t.Fatalf("Dockerfile: no RUN ... go build ... -o <dir>/ in the build stage")
	}
	return d
}

func jsonArray(t *testing.T, line, s string) []string {
	t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("Dockerfile: %q: want the exec (JSON array) form: %v", line, err)
	}
	return out
}

// envValue returns the value of key in a KEY=VALUE list.
func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// buildImageBinaries runs the Dockerfile's go build command, with its build
// stage's environment, into a temporary directory, and returns that
// directory.
func buildImageBinaries(t *testing.T, root string, d dockerfile) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bin") + "/"
	script := strings.Replace(d.buildCmd, " -o "+d.binDir+" ", " -o "+out+" ", 1)
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = root
	// As in the image build: the stage's ENV; the platform ARGs are unset
	// here, which builds for this machine.
	cmd.Env = append(os.Environ(), d.buildEnv...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, b)
	}
	return out
}

func Test_Image(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test chroots and changes user: run it as root (CI does)")
	}
	root := testutil.ModuleRoot(t)
	d := parseDockerfile(t, filepath.Join(root, "Dockerfile"))

	t.Run("settings", func(t *testing.T) {
		for _, want := range []string{"CGO_ENABLED=0"} {
			if !slices.Contains(d.buildEnv, want) {
				t.Errorf("build stage ENV %v lacks %s", d.buildEnv, want)
			}
		}
		if !strings.Contains(d.buildCmd, "-trimpath") || !strings.Contains(d.buildCmd, "./cmd/...") {
			t.Errorf("build command %q: want -trimpath and every command (./cmd/...)", d.buildCmd)
		}
		for _, p := range []string{"6379", "7379", "8080"} {
			if !slices.Contains(d.expose, p) {
				t.Errorf("EXPOSE %v lacks %s", d.expose, p)
			}
		}
		if !slices.Equal(d.volumes, []string{"/data"}) || envValue(d.env, "REDRAFT_DATA_DIR") != "/data" {
			t.Errorf("VOLUME %v, REDRAFT_DATA_DIR %q: want /data", d.volumes, envValue(d.env, "REDRAFT_DATA_DIR"))
		}
		if d.user != "65532:65532" {
			t.Errorf("USER %q, want 65532:65532 (distroless nonroot)", d.user)
		}
		if !slices.Equal(d.entrypoint, []string{"/redraft"}) {
			t.Errorf("ENTRYPOINT %v, want [/redraft]", d.entrypoint)
		}
	})

	bin := buildImageBinaries(t, root, d)
	entries, err := os.ReadDir(bin)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Contains(names, "redraft") {
		t.Fatalf("the build made %v, no redraft", names)
	}

	for _, name := range names {
		t.Run("static/"+name, func(t *testing.T) {
			checkStatic(t, filepath.Join(bin, name), root)
		})
	}

	t.Run("chroot", func(t *testing.T) {
		runChrooted(t, d, bin, names)
	})
}

// checkStatic fails unless path is a statically linked executable (no
// program interpreter, no dynamic section, no shared libraries) that does
// not embed the build's source paths (-trimpath).
func checkStatic(t *testing.T, path, srcRoot string) {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			t.Errorf("%s has a program interpreter: it is dynamically linked", path)
		case elf.PT_DYNAMIC:
			t.Errorf("%s has a dynamic section", path)
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", path, libs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(srcRoot+"/")) {
		t.Errorf("%s contains the source path %s: built without -trimpath?", path, srcRoot)
	}
}

// runChrooted runs the image's entrypoint in a root holding only the
// binaries (root-owned, as COPY leaves them) and /data (owned by the image
// user), with the image's environment and user, and checks that it serves
// RESP and HTTP and keeps its state in /data.
func runChrooted(t *testing.T, d dockerfile, bin string, names []string) {
	uid, gid := parseUser(t, d.user)
	fsRoot := t.TempDir()
	if err := os.Chmod(fsRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(bin, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fsRoot, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(fsRoot, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(data, uid, gid); err != nil {
		t.Fatal(err)
	}

	// The image's environment, with the listeners moved to loopback ports
	// (the image listens on 0.0.0.0 and needs --raft-advertise there).
	respAddr, raftAddr, httpAddr := loopback(t), loopback(t), loopback(t)
	env := slices.DeleteFunc(slices.Clone(d.env), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == "REDRAFT_LISTEN" || k == "REDRAFT_RAFT_LISTEN" || k == "REDRAFT_HTTP_LISTEN"
	})
	env = append(env, "REDRAFT_LISTEN="+respAddr, "REDRAFT_RAFT_LISTEN="+raftAddr, "REDRAFT_HTTP_LISTEN="+httpAddr)

	var output bytes.Buffer
	cmd := exec.Command(d.entrypoint[0], append(d.entrypoint[1:], d.cmd...)...)
	cmd.Env = env
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = &output, &output
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Chroot:     fsRoot,
		Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)},
		Pdeathsig:  syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v chrooted in %s: %v", cmd.Args, fsRoot, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("redraft output:\n%s", output.String())
		}
	})

	waitPong(t, respAddr, exited)
	c := testutil.MustDial(t, respAddr)
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"SET", "greeting", "hello"}, "OK"},
		{[]string{"GET", "greeting"}, "hello"},
		{[]string{"SAVE"}, "OK"},
	} {
		v, err := c.Do(step.args...)
		if err != nil || v.Str != step.want {
			t.Fatalf("%v = %v (err %v), want %s", step.args, v, err, step.want)
		}
	}
	for _, path := range []string{"/livez", "/readyz", "/status", "/metrics"} {
		code, body := httpGet(t, httpAddr, path)
		if code != http.StatusOK {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
		if path == "/metrics" && !strings.Contains(body, `redraft_raft_state{state="leader"} 1`) {
			t.Errorf("/metrics lacks the node's metrics:\n%s", body)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("redraft exited with %v after SIGTERM", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("redraft did not exit within 15s of SIGTERM")
	}

	checkDataDir(t, data, uid, gid)
	checkLogs(t, output.Bytes())
}

func parseUser(t *testing.T, user string) (uid, gid int) {
	t.Helper()
	u, g, ok := strings.Cut(user, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("USER %q: want numeric uid:gid (there is no /etc/passwd to look names up in)", user)
	}
	return uid, gid
}

func loopback(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(testutil.FreePort(t)))
}

func waitPong(t *testing.T, addr string, exited <-chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("redraft exited before answering: %v", err)
		default:
		}
		if c, err := testutil.Dial(addr); err == nil {
			v, err := c.Do("PING")
			c.Close()
			if err == nil && v.Str == "PONG" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no PONG within 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func httpGet(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// checkDataDir checks that the node kept its state in the data dir (its
// ID, the Raft log, a snapshot) and that everything it wrote belongs to
// the image user.
func checkDataDir(t *testing.T, data string, uid, gid int) {
	t.Helper()
	for _, name := range []string{"node-id", "raft.db", "snapshots"} {
		if _, err := os.Stat(filepath.Join(data, name)); err != nil {
			t.Errorf("data dir: %v", err)
		}
	}
	snaps, _ := os.ReadDir(filepath.Join(data, "snapshots"))
	if len(snaps) == 0 {
		t.Errorf("data dir: no snapshot after SAVE and shutdown")
	}
	err := filepath.WalkDir(data, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(path, &st); err != nil {
			return err
		}
		if int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s is owned by %d:%d, want %d:%d", path, st.Uid, st.Gid, uid, gid)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// checkLogs checks that the node logged JSON (REDRAFT_LOG_FORMAT=json) and
// never complained of a missing file: nothing outside /data is there.
func checkLogs(t *testing.T, out []byte) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Bytes()
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Errorf("log line is not JSON: %s", line)
			continue
		}
		if s := fmt.Sprint(rec); strings.Contains(s, "no such file") || strings.Contains(s, "permission denied") {
			t.Errorf("the node missed something in its empty root: %s", line)
		}
	}
}
