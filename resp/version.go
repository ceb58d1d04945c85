package resp

// Version is Redraft's own version, reported by INFO and --version. Release
// builds set it with -ldflags "-X github.com/redraft/redraft/resp.Version=...".
var Version = "0.1.0-dev"
