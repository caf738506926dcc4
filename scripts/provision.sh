#!/usr/bin/env bash
# Installs what the Nachfass local stack needs, and nothing when all is there:
#   - Debian packages: Dovecot (IMAP, LMTP, Sieve), Postfix, Chromium (for the
#     Temporal UI smoke test), plus the small tools scripts/stack.sh uses;
#   - the `temporal` CLI (dev server), built with `go install` if missing.
# Does not run npm: the caller runs `npm ci`.
# Usage: scripts/provision.sh
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/stack/common.sh
source "$SCRIPT_DIR/stack/common.sh"

PACKAGES=(
  dovecot-imapd dovecot-lmtpd dovecot-sieve
  postfix
  chromium
  prometheus # the metrics test scrapes /metrics with a real Prometheus (test/e2e/metrics.test.ts)
  ca-certificates
  iproute2   # ss: port checks
  procps     # pgrep/pkill-free process checks
  util-linux # setsid
  debconf    # debconf-set-selections (postfix preseed)
)

# --- Debian packages ------------------------------------------------------
command -v dpkg-query >/dev/null 2>&1 \
  || die "dpkg-query not found: this script expects Debian (bookworm) or a derivative. Install by hand: ${PACKAGES[*]}"

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  say "Debian packages: all present (${PACKAGES[*]})"
else
  say "Debian packages missing: ${missing[*]}"
  SUDO=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 \
      || die "not root and no sudo: run as root, or install these packages yourself: ${missing[*]}"
    SUDO=(sudo)
  fi
  # Postfix asks a debconf question on install; answer it: the stack runs its
  # own private instance and needs no system-wide mail configuration.
  if command -v debconf-set-selections >/dev/null 2>&1; then
    echo "postfix postfix/main_mailer_type select No configuration" | "${SUDO[@]}" debconf-set-selections
    echo "postfix postfix/mailname string mail.example.test" | "${SUDO[@]}" debconf-set-selections
  fi
  say "apt-get update ..."
  "${SUDO[@]}" apt-get update -q \
    || die "apt-get update failed (see above). Are the Debian package mirrors reachable from this machine, and is /etc/apt/sources.list(.d) sane? Missing: ${missing[*]}"
  say "apt-get install ${missing[*]} ..."
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed (see above) for: ${missing[*]}. Check the package names exist for this release (apt-cache policy NAME), and that dpkg is not locked by another apt run."
  # Debian starts the system-wide daemons on install (unless policy-rc.d
  # forbids it). The stack uses private instances on other ports, so the
  # system ones are not needed; they do not conflict either.
  say "Debian packages installed."
fi

# --- temporal CLI -----------------------------------------------------------
if tbin=$(find_temporal); then
  say "temporal CLI: $tbin ($("$tbin" --version 2>/dev/null | head -n1 || echo 'version unknown'))"
  exit 0
fi

command -v go >/dev/null 2>&1 \
  || die "temporal CLI not found (PATH, \$(go env GOPATH)/bin, ~/go/bin) and no Go toolchain to build it. Install Go (a recent release; Debian bookworm's golang-go is too old for the CLI), then re-run; or put a temporal binary on PATH / set NACHFASS_TEMPORAL_BIN."

# Another build of the same module may already be running (e.g. started by a
# previous, interrupted provision): wait for it instead of racing it.
if pgrep -f "go install ${NACHFASS_TEMPORAL_CLI_MODULE}" >/dev/null 2>&1; then
  say "a 'go install' of the temporal CLI is already running; waiting for it ..."
  while pgrep -f "go install ${NACHFASS_TEMPORAL_CLI_MODULE}" >/dev/null 2>&1; do sleep 5; done
  if tbin=$(find_temporal); then
    say "temporal CLI: $tbin"
    exit 0
  fi
fi

say "building the temporal CLI: go install ${NACHFASS_TEMPORAL_CLI_MODULE}@${NACHFASS_TEMPORAL_CLI_VERSION} (about 5 minutes on a fresh module cache) ..."
t0=$SECONDS
go install "${NACHFASS_TEMPORAL_CLI_MODULE}@${NACHFASS_TEMPORAL_CLI_VERSION}" \
  || die "go install ${NACHFASS_TEMPORAL_CLI_MODULE}@${NACHFASS_TEMPORAL_CLI_VERSION} failed (see above). It needs the Go module proxy to be reachable (check 'go env GOPROXY') and a Go toolchain new enough for that module (its go.mod says which)."
tbin=$(find_temporal) || die "go install succeeded but no temporal binary was found in \$(go env GOPATH)/bin or ~/go/bin (is GOBIN set elsewhere? then put it on PATH)"
say "temporal CLI built in $((SECONDS - t0)) s: $tbin"
