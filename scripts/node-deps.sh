#!/usr/bin/env bash
# Checks Node and installs the npm dependencies when package-lock.json changed since the last install
# (or node_modules is missing). Idempotent; sourced or run by test.sh and demo.sh.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20.19 or newer (Debian: the NodeSource or nvm packages), then re-run."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node $(node --version) is too old: Nachfass needs Node 20.19 or newer."

stamp=node_modules/.nachfass-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  say "npm dependencies up to date"
else
  # `npm ci`: exactly the committed lock file, which lists every platform's optional native binaries
  # (esbuild, swc) so that it is complete on any machine; npm installs only this platform's.
  say "npm ci (locked versions) ..."
  npm ci --no-audit --no-fund || die "npm ci failed (see above): is the npm registry reachable from this machine?"
  echo "$want" >"$stamp"
fi
