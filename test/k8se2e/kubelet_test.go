package k8se2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/redraft/redraft/httpd"
)

const nodeName = "e2e-node"

// kubelet plays the kubelet of one Node for the pods of one namespace: it
// binds every pod to the node, runs a real process for its container,
// reports the pod's IP and readiness (the container's HTTP readiness
// probe), restarts a container that exits, and stops the process when the
// pod is deleted, before removing the pod for good.
//
// What a container runtime would provide is emulated:
//   - the image: an image whose repository is "redraft" runs the redraft
//     binary (the image's entrypoint); the tag does not matter;
//   - the pod's network namespace: the pod has its own address 10.244.0.N
//     (local in the test's network namespace), and wildcard listen
//     addresses in its arguments and environment (0.0.0.0:P, :P) become
//     that address;
//   - volumes: a persistentVolumeClaim volume is a directory keyed by the
//     claim's UID, so a pod recreated with the same claim gets its data
//     back and a claim deleted and recreated (scale down, then up) starts
//     empty; mount paths in arguments and environment are rewritten to it;
//   - cluster DNS: <hostname>.<subdomain>.<ns>.svc[.cluster.local] of every
//     pod is in /etc/hosts (appended when the pod gets its address; a pod
//     keeps its address across recreations, so a name never changes).
type kubelet struct {
	t       *testing.T
	kube    kubernetes.Interface
	ns      string
	redraft string // the redraft binary
	dir     string

	mu     sync.Mutex
	runs   map[types.UID]*podRun
	ips    map[string]string // pod name -> address
	nextIP int
	events []podEvent
	stop   chan struct{}
	done   chan struct{}
}

// A podEvent is a start or stop of a pod's process, in the order they
// happened.
type podEvent struct {
	At   time.Time
	Pod  string
	Kind string // "start", "stop", "restart"
	// Role is the member's Raft role just before a stop (from /status);
	// Member tells whether the leader's configuration still had it then.
	Role   string
	Member bool
	// Leader is the leader the member knew just before a stop.
	Leader string
}

// podRun is the running container of one pod (by UID).
type podRun struct {
	uid      types.UID
	name     string
	ip       string
	cmd      *exec.Cmd
	exited   chan struct{}
	restarts int32
	ready    bool
	started  time.Time
	logPath  string
	probe    *corev1.Probe
	port     int
	args     []string
	env      []string
	workdir  string
	stopping bool
}

func startKubelet(t *testing.T, kube kubernetes.Interface, ns, redraftBin string) *kubelet {
	t.Helper()
	k := &kubelet{
		t: t, kube: kube, ns: ns, redraft: redraftBin, dir: t.TempDir(),
		runs: map[types.UID]*podRun{}, ips: map[string]string{}, nextIP: 10,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName, Labels: map[string]string{corev1.LabelHostname: nodeName}}}
	node, err := kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if err == nil {
		node.Status = corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: hostIP}, {Type: corev1.NodeHostName, Address: nodeName}},
		}
		if _, err := kube.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	go k.loop()
	t.Cleanup(k.shutdown)
	return k
}

func (k *kubelet) logf(format string, args ...any) {
	k.t.Logf("%s kubelet: %s", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

func (k *kubelet) loop() {
	defer close(k.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-tick.C:
		}
		k.sync()
	}
}

// shutdown stops the loop and kills every process.
func (k *kubelet) shutdown() {
	close(k.stop)
	<-k.done
	k.mu.Lock()
	runs := make([]*podRun, 0, len(k.runs))
	for _, r := range k.runs {
		runs = append(runs, r)
	}
	k.mu.Unlock()
	for _, r := range runs {
		k.kill(r, 5*time.Second)
		if k.t.Failed() {
			k.t.Logf("---- %s (%s) log, last 12 KiB ----\n%s", r.name, r.logPath, tail(r.logPath, 12<<10))
		}
	}
}

// sync is one pass over the namespace's pods.
func (k *kubelet) sync() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pods, err := k.kube.CoreV1().Pods(k.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return // the next tick retries
	}
	// Processes of pods that are gone (force-deleted) die first: a pod
	// recreated under the same name must not find the old process on its
	// address and volume.
	seen := map[types.UID]bool{}
	for i := range pods.Items {
		seen[pods.Items[i].UID] = true
	}
	k.mu.Lock()
	var gone []*podRun
	for uid, r := range k.runs {
		if !seen[uid] {
			gone = append(gone, r)
			delete(k.runs, uid)
		}
	}
	k.mu.Unlock()
	for _, r := range gone {
		role, leader, member := k.role(r)
		k.record(podEvent{At: time.Now(), Pod: r.name, Kind: "stop", Role: role, Member: member, Leader: leader})
		k.logf("pod %s (uid %s) is gone from the API (force-deleted): SIGKILL to its process (raft role %s)", r.name, shortUID(r.uid), role)
		k.kill(r, 0)
	}
	for i := range pods.Items {
		k.syncPod(ctx, &pods.Items[i])
	}
}

func (k *kubelet) syncPod(ctx context.Context, pod *corev1.Pod) {
	k.mu.Lock()
	r := k.runs[pod.UID]
	k.mu.Unlock()
	switch {
	case pod.DeletionTimestamp != nil:
		if r != nil {
			grace := 10 * time.Second
			if pod.DeletionGracePeriodSeconds != nil && time.Duration(*pod.DeletionGracePeriodSeconds)*time.Second < grace {
				grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
			}
			role, leader, member := k.role(r)
			k.record(podEvent{At: time.Now(), Pod: pod.Name, Kind: "stop", Role: role, Member: member, Leader: leader})
			k.logf("pod %s deleted: stopping its process (raft role %s, leader %s, member of the leader's configuration: %v)", pod.Name, role, leader, member)
			k.kill(r, grace)
			k.mu.Lock()
			delete(k.runs, pod.UID)
			k.mu.Unlock()
		}
		zero := int64(0)
		uid := pod.UID
		err := k.kube.CoreV1().Pods(k.ns).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &uid},
		})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			k.logf("deleting pod %s: %v", pod.Name, err)
		}
	case pod.Spec.NodeName == "":
		err := k.kube.CoreV1().Pods(k.ns).Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: pod.Name, UID: pod.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: nodeName},
		}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsConflict(err) {
			k.logf("binding pod %s: %v", pod.Name, err)
		}
	case r == nil:
		r, err := k.prepare(ctx, pod)
		if err != nil {
			k.logf("pod %s not started yet: %v", pod.Name, err)
			return
		}
		if err := k.launch(r); err != nil {
			k.logf("pod %s: starting its process: %v", pod.Name, err)
			return
		}
		k.mu.Lock()
		k.runs[pod.UID] = r
		k.mu.Unlock()
		k.record(podEvent{At: time.Now(), Pod: pod.Name, Kind: "start"})
		k.logf("pod %s (uid %s) started on %s", pod.Name, shortUID(pod.UID), r.ip)
		k.updateStatus(ctx, pod, r)
		go k.probeLoop(pod, r)
	default:
		k.mu.Lock()
		exited := !r.stopping && isClosed(r.exited)
		k.mu.Unlock()
		if exited && time.Since(r.started) > time.Second {
			k.logf("pod %s: container exited (%v): restarting it", pod.Name, r.cmd.ProcessState)
			r.restarts++
			if err := k.launch(r); err != nil {
				k.logf("pod %s: restarting: %v", pod.Name, err)
				return
			}
			k.record(podEvent{At: time.Now(), Pod: pod.Name, Kind: "restart"})
			k.updateStatus(ctx, pod, r)
		}
	}
}

func shortUID(u types.UID) string { return string(u)[:8] }

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func (k *kubelet) record(e podEvent) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.events = append(k.events, e)
}

// Events returns the pod starts and stops so far.
func (k *kubelet) Events() []podEvent {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]podEvent(nil), k.events...)
}

// IP is the address of the pod called name (empty if it never ran).
func (k *kubelet) IP(name string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ips[name]
}

// IPs returns the addresses of every pod that ran, by name.
func (k *kubelet) IPs() map[string]string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]string, len(k.ips))
	for n, ip := range k.ips {
		out[n] = ip
	}
	return out
}

// podIP gives a pod its address and its DNS names, once per pod name.
func (k *kubelet) podIP(pod *corev1.Pod) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if ip, ok := k.ips[pod.Name]; ok {
		return ip, nil
	}
	if k.nextIP > 250 {
		return "", fmt.Errorf("out of pod addresses")
	}
	ip := podPrefix + strconv.Itoa(k.nextIP)
	k.nextIP++
	if pod.Spec.Hostname != "" && pod.Spec.Subdomain != "" {
		base := pod.Spec.Hostname + "." + pod.Spec.Subdomain + "." + pod.Namespace + ".svc"
		f, err := os.OpenFile(hostsFile, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return "", err
		}
		_, err = fmt.Fprintf(f, "%s %s.cluster.local %s\n", ip, base, base)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	}
	k.ips[pod.Name] = ip
	return ip, nil
}

var listenAddr = regexp.MustCompile(`^(0\.0\.0\.0)?:(\d+)$`)

// prepare works out the process of the pod's (only) container: binary,
// arguments, environment, volumes.
func (k *kubelet) prepare(ctx context.Context, pod *corev1.Pod) (*podRun, error) {
	if len(pod.Spec.Containers) != 1 || len(pod.Spec.InitContainers) != 0 {
		return nil, fmt.Errorf("the test kubelet runs pods of exactly one container")
	}
	c := pod.Spec.Containers[0]
	bin, args, err := k.entrypoint(c)
	if err != nil {
		return nil, err
	}
	podDir := filepath.Join(k.dir, "pods", string(pod.UID))
	if err := os.MkdirAll(podDir, 0o755); err != nil {
		return nil, err
	}
	// Volumes.
	volDirs := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			pvc, err := k.kube.CoreV1().PersistentVolumeClaims(k.ns).Get(ctx, v.PersistentVolumeClaim.ClaimName, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("volume %s: claim %s: %v", v.Name, v.PersistentVolumeClaim.ClaimName, err)
			}
			if pvc.DeletionTimestamp != nil {
				return nil, fmt.Errorf("volume %s: claim %s is being deleted", v.Name, pvc.Name)
			}
			volDirs[v.Name] = filepath.Join(k.dir, "volumes", pvc.Name+"-"+string(pvc.UID))
		default:
			volDirs[v.Name] = filepath.Join(podDir, "volumes", v.Name)
		}
		if err := os.MkdirAll(volDirs[v.Name], 0o755); err != nil {
			return nil, err
		}
	}
	mounts := map[string]string{} // mount path -> directory
	for _, m := range c.VolumeMounts {
		d, ok := volDirs[m.Name]
		if !ok {
			return nil, fmt.Errorf("mount of unknown volume %s", m.Name)
		}
		mounts[m.MountPath] = filepath.Join(d, m.SubPath)
	}
	ip, err := k.podIP(pod)
	if err != nil {
		return nil, err
	}
	env, err := k.environment(ctx, pod, c, ip)
	if err != nil {
		return nil, err
	}
	// $(VAR) in the arguments, then the pod's own address and volumes.
	vars := map[string]string{}
	for _, e := range env {
		vars[e[0]] = e[1]
	}
	for i, a := range args {
		args[i] = k.localize(expand(a, vars), ip, mounts)
	}
	envList := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + podDir, "HOSTNAME=" + pod.Name}
	for _, e := range env {
		envList = append(envList, e[0]+"="+k.localize(e[1], ip, mounts))
	}
	r := &podRun{
		uid: pod.UID, name: pod.Name, ip: ip, probe: c.ReadinessProbe,
		args: append([]string{bin}, args...), env: envList, workdir: podDir,
		logPath: filepath.Join(k.dir, pod.Name+".log"),
	}
	if p := c.ReadinessProbe; p != nil && p.HTTPGet != nil {
		r.port, err = containerPort(c, p.HTTPGet.Port)
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// entrypoint maps the container's image and command to a binary here.
func (k *kubelet) entrypoint(c corev1.Container) (string, []string, error) {
	repo := c.Image
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	if filepath.Base(repo) != "redraft" {
		return "", nil, fmt.Errorf("image %s: the test kubelet only runs the redraft image", c.Image)
	}
	switch {
	case len(c.Command) == 0, len(c.Command) == 1 && c.Command[0] == "/redraft":
		return k.redraft, append([]string(nil), c.Args...), nil
	default:
		return "", nil, fmt.Errorf("image %s: command %q is not the redraft node", c.Image, c.Command)
	}
}

// localize turns a wildcard listen address into the pod's own and a path
// under a mount into the volume's directory.
func (k *kubelet) localize(v, ip string, mounts map[string]string) string {
	prefix := ""
	if strings.HasPrefix(v, "--") {
		if i := strings.IndexByte(v, '='); i > 0 {
			prefix, v = v[:i+1], v[i+1:]
		}
	}
	if m := listenAddr.FindStringSubmatch(v); m != nil {
		return prefix + net.JoinHostPort(ip, m[2])
	}
	for path, dir := range mounts {
		if v == path || strings.HasPrefix(v, strings.TrimSuffix(path, "/")+"/") {
			return prefix + dir + strings.TrimPrefix(v, path)
		}
	}
	return prefix + v
}

// environment resolves the container's envFrom and env as the kubelet
// does: later variables override earlier ones, and $(VAR) refers to
// variables defined before.
func (k *kubelet) environment(ctx context.Context, pod *corev1.Pod, c corev1.Container, ip string) ([][2]string, error) {
	var env [][2]string
	vars := map[string]string{}
	set := func(name, value string) {
		if _, ok := vars[name]; ok {
			for i := range env {
				if env[i][0] == name {
					env[i][1] = value
				}
			}
		} else {
			env = append(env, [2]string{name, value})
		}
		vars[name] = value
	}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, err := k.kube.CoreV1().ConfigMaps(k.ns).Get(ctx, from.ConfigMapRef.Name, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("envFrom configmap %s: %v", from.ConfigMapRef.Name, err)
			}
			for key, v := range cm.Data {
				set(from.Prefix+key, v)
			}
		case from.SecretRef != nil:
			s, err := k.kube.CoreV1().Secrets(k.ns).Get(ctx, from.SecretRef.Name, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("envFrom secret %s: %v", from.SecretRef.Name, err)
			}
			for key, v := range s.Data {
				set(from.Prefix+key, string(v))
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			set(e.Name, expand(e.Value, vars))
		case e.ValueFrom.FieldRef != nil:
			v, err := fieldValue(pod, e.ValueFrom.FieldRef.FieldPath, ip)
			if err != nil {
				return nil, fmt.Errorf("env %s: %v", e.Name, err)
			}
			set(e.Name, v)
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			s, err := k.kube.CoreV1().Secrets(k.ns).Get(ctx, ref.Name, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("env %s: secret %s: %v", e.Name, ref.Name, err)
			}
			v, ok := s.Data[ref.Key]
			if !ok {
				return nil, fmt.Errorf("env %s: secret %s has no key %s", e.Name, ref.Name, ref.Key)
			}
			set(e.Name, string(v))
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm, err := k.kube.CoreV1().ConfigMaps(k.ns).Get(ctx, ref.Name, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("env %s: configmap %s: %v", e.Name, ref.Name, err)
			}
			set(e.Name, cm.Data[ref.Key])
		default:
			return nil, fmt.Errorf("env %s: unsupported valueFrom", e.Name)
		}
	}
	return env, nil
}

func fieldValue(pod *corev1.Pod, path, ip string) (string, error) {
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return nodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.podIP":
		return ip, nil
	case "status.hostIP":
		return hostIP, nil
	}
	return "", fmt.Errorf("unsupported fieldRef %s", path)
}

var varRef = regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expand replaces $(VAR) by the value of VAR when it is defined (an
// undefined reference stays as it is) and $$ by $, as Kubernetes does.
func expand(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

func containerPort(c corev1.Container, p intstr.IntOrString) (int, error) {
	if p.Type == intstr.Int {
		return p.IntValue(), nil
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort), nil
		}
	}
	return 0, fmt.Errorf("probe port %q is not a port of the container", p.StrVal)
}

// launch starts (or restarts) the pod's process.
func (k *kubelet) launch(r *podRun) error {
	f, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "=== %s start: %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(r.args, " "))
	cmd := exec.Command(r.args[0], r.args[1:]...)
	cmd.Env = r.env
	cmd.Dir = r.workdir
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return err
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(f, "=== %s exited: %v\n", time.Now().Format(time.RFC3339Nano), err)
		f.Close()
		close(exited)
	}()
	k.mu.Lock()
	r.cmd, r.exited, r.started, r.ready = cmd, exited, time.Now(), false
	k.mu.Unlock()
	return nil
}

// kill stops the process: SIGTERM, then SIGKILL after grace.
func (k *kubelet) kill(r *podRun, grace time.Duration) {
	k.mu.Lock()
	r.stopping = true
	cmd, exited := r.cmd, r.exited
	k.mu.Unlock()
	if cmd == nil || isClosed(exited) {
		return
	}
	if grace > 0 {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			return
		case <-time.After(grace):
			k.logf("pod %s did not stop within %v of SIGTERM: SIGKILL", r.name, grace)
		}
	}
	_ = cmd.Process.Kill()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		k.logf("pod %s: process %d did not die after SIGKILL", r.name, cmd.Process.Pid)
	}
}

// probeLoop runs the readiness probe every half second until the pod's
// process is stopped, and reports changes in the pod's status.
func (k *kubelet) probeLoop(pod *corev1.Pod, r *podRun) {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-k.stop:
			return
		case <-time.After(500 * time.Millisecond):
		}
		k.mu.Lock()
		stopping := r.stopping
		k.mu.Unlock()
		if stopping {
			return
		}
		ready := r.probe == nil
		if !ready && r.probe.HTTPGet != nil {
			resp, err := client.Get("http://" + net.JoinHostPort(r.ip, strconv.Itoa(r.port)) + r.probe.HTTPGet.Path)
			if err == nil {
				ready = resp.StatusCode >= 200 && resp.StatusCode < 400
				resp.Body.Close()
			}
		}
		k.mu.Lock()
		changed := ready != r.ready
		r.ready = ready
		k.mu.Unlock()
		if changed {
			k.logf("pod %s ready=%v", pod.Name, ready)
			if ready {
				k.record(podEvent{At: time.Now(), Pod: pod.Name, Kind: "ready"})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			k.updateStatus(ctx, pod, r)
			cancel()
		}
	}
}

// updateStatus writes the pod's status: Running on its address, with the
// readiness the probe saw last.
func (k *kubelet) updateStatus(ctx context.Context, pod *corev1.Pod, r *podRun) {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := k.kube.CoreV1().Pods(k.ns).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cur.UID != r.uid || cur.DeletionTimestamp != nil {
			return nil
		}
		k.mu.Lock()
		ready, restarts, started := r.ready, r.restarts, r.started
		k.mu.Unlock()
		cond := corev1.ConditionFalse
		if ready {
			cond = corev1.ConditionTrue
		}
		now := metav1.Now()
		c := cur.Spec.Containers[0]
		cur.Status = corev1.PodStatus{
			Phase:     corev1.PodRunning,
			HostIP:    hostIP,
			HostIPs:   []corev1.HostIP{{IP: hostIP}},
			PodIP:     r.ip,
			PodIPs:    []corev1.PodIP{{IP: r.ip}},
			StartTime: cur.Status.StartTime,
			QOSClass:  cur.Status.QOSClass,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
				{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
				{Type: corev1.ContainersReady, Status: cond, LastTransitionTime: now},
				{Type: corev1.PodReady, Status: cond, LastTransitionTime: now},
			},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: c.Name, Image: c.Image, ImageID: "test://" + c.Image, ContainerID: "test://" + string(r.uid),
				Ready: ready, Started: ptrTo(true), RestartCount: restarts,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}},
			}},
		}
		if cur.Status.StartTime == nil {
			cur.Status.StartTime = &now
		}
		_, err = k.kube.CoreV1().Pods(k.ns).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) {
		k.logf("pod %s: status update: %v", pod.Name, err)
	}
}

func ptrTo[T any](v T) *T { return &v }

// role asks a member for its Raft role (/status), and its leader whether
// the member is in the configuration, for the record of stops.
func (k *kubelet) role(r *podRun) (role, leader string, member bool) {
	st, err := memberStatus(r.ip)
	if err != nil {
		return "unknown (" + err.Error() + ")", "", false
	}
	lst := st
	if st.LeaderID != "" && st.LeaderID != st.ID {
		if ip := k.IP(st.LeaderID); ip != "" {
			if l, err := memberStatus(ip); err == nil {
				lst = l
			}
		}
	}
	for _, m := range lst.Members {
		if m.ID == r.name {
			return st.Role, st.LeaderID, true
		}
	}
	return st.Role, st.LeaderID, false
}

// memberStatus GETs a member's /status.
func memberStatus(ip string) (*httpd.Status, error) {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + net.JoinHostPort(ip, "8080") + "/status")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	var st httpd.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, err
	}
	return &st, nil
}
