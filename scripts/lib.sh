# shellcheck shell=bash
# Shared helpers for scripts/provision.sh and scripts/stack.sh (sourced).

# shellcheck disable=SC2034 # used by provision.sh
NACHFASS_TEMPORAL_CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
# Newer tags of the CLI do not build with `go install`; keep this pin.
# shellcheck disable=SC2034
NACHFASS_TEMPORAL_CLI_VERSION="v1.5.1"

say() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# Prints the path of a usable temporal CLI, or nothing (exit 1).
# Order: $NACHFASS_TEMPORAL_BIN, $TEMPORAL_CLI, PATH, $(go env GOBIN), $(go env GOPATH)/bin, ~/go/bin.
find_temporal() {
  local cand gopath gobin
  if [[ -n "${NACHFASS_TEMPORAL_BIN:-}" ]]; then
    [[ -x "$NACHFASS_TEMPORAL_BIN" ]] && { printf '%s\n' "$NACHFASS_TEMPORAL_BIN"; return 0; }
    return 1
  fi
  # The worker (worker/dev-server.ts) honours TEMPORAL_CLI: so do we.
  if [[ -n "${TEMPORAL_CLI:-}" && -x "${TEMPORAL_CLI}" ]]; then
    printf '%s\n' "$TEMPORAL_CLI"; return 0
  fi
  if cand=$(command -v temporal 2>/dev/null); then
    printf '%s\n' "$cand"; return 0
  fi
  if command -v go >/dev/null 2>&1; then
    local -a goenv=()
    mapfile -t goenv < <(go env GOBIN GOPATH 2>/dev/null || true)
    gobin="${goenv[0]:-}"
    gopath="${goenv[1]:-}"
    if [[ -n "$gobin" && -x "$gobin/temporal" ]]; then
      printf '%s\n' "$gobin/temporal"; return 0
    fi
    # GOPATH may be a list; the first entry is where `go install` writes.
    cand="${gopath%%:*}/bin/temporal"
    if [[ -n "$gopath" && -x "$cand" ]]; then
      printf '%s\n' "$cand"; return 0
    fi
  fi
  cand="${HOME:-/root}/go/bin/temporal"
  [[ -x "$cand" ]] && { printf '%s\n' "$cand"; return 0; }
  return 1
}
