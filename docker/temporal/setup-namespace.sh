#!/bin/sh
# One-shot (service temporal-admin-tools, image temporalio/admin-tools): waits until the
# Temporal server answers, creates the namespace if it is missing, and registers the custom
# search attributes that cases set, read from stack/search-attributes.txt (Name=Type per line,
# the list the local dev stack uses too). Idempotent: what exists with the right type is left
# alone; an attribute that exists with another type is an error (the worker would fail on it).
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"
SA_FILE="${SEARCH_ATTRIBUTES_FILE:-/nachfass/search-attributes.txt}"
ATTEMPTS="${SETUP_ATTEMPTS:-60}"
PAUSE="${SETUP_PAUSE_SECONDS:-2}"
OUT="${TMPDIR:-/tmp}/temporal-setup.$$"
trap 'rm -f "$OUT"' EXIT

say() { echo "[temporal-setup] $*"; }
fail() {
  echo "[temporal-setup] ERROR: $*" >&2
  exit 1
}
# KEYWORD_LIST, KeywordList, INDEXED_VALUE_TYPE_KEYWORD_LIST -> KEYWORDLIST
norm_type() { printf '%s' "$1" | tr '[:lower:]' '[:upper:]' | sed -e 's/^INDEXED_VALUE_TYPE_//' -e 's/_//g'; }

# --- the wanted attributes ----------------------------------------------------------------
[ -r "$SA_FILE" ] || fail "cannot read $SA_FILE (stack/search-attributes.txt, mounted by docker-compose.yml)"
WANTED=""
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  line="$(printf '%s' "$line" | tr -d ' \t\r')"
  [ -n "$line" ] || continue
  printf '%s\n' "$line" | grep -Eq '^[A-Za-z_][A-Za-z0-9_]*=(Text|Keyword|Int|Double|Bool|Datetime|KeywordList)$' ||
    fail "bad line in $SA_FILE: '$line' (expected Name=Type, Type one of Text Keyword Int Double Bool Datetime KeywordList)"
  WANTED="$WANTED $line"
done <"$SA_FILE"
[ -n "$WANTED" ] || fail "no search attributes in $SA_FILE"

# --- 1. the server answers --------------------------------------------------------------------
i=1
until temporal operator cluster health --address "$ADDRESS" >"$OUT" 2>&1; do
  [ "$i" -lt "$ATTEMPTS" ] || { cat "$OUT" >&2; fail "Temporal at $ADDRESS is not healthy after $ATTEMPTS attempts"; }
  i=$((i + 1))
  sleep "$PAUSE"
done
say "Temporal at $ADDRESS is serving"

# --- 2. the namespace ---------------------------------------------------------------------------
if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  say "namespace $NAMESPACE: exists"
else
  i=1
  until temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION" >"$OUT" 2>&1; do
    # Created meanwhile (a second run, or a slow first answer)?
    temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1 && break
    [ "$i" -lt "$ATTEMPTS" ] || { cat "$OUT" >&2; fail "could not create namespace $NAMESPACE"; }
    i=$((i + 1))
    sleep "$PAUSE"
  done
  say "namespace $NAMESPACE: created (retention $RETENTION)"
fi

# --- 3. the search attributes ---------------------------------------------------------------------
# Prints "Name=TYPE" for each custom attribute the namespace has (TYPE normalised).
existing() {
  temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" --output json >"$OUT" 2>&1 ||
    return 1
  jq -e 'type == "object"' "$OUT" >/dev/null 2>&1 || return 1
  jq -r '(.customAttributes // {}) | to_entries[] | "\(.key)=\(.value)"' "$OUT" | while IFS='=' read -r n t; do
    printf '%s=%s\n' "$n" "$(norm_type "$t")"
  done
}

# Sets MISSING to the "--name N --type T" arguments still to register; fails on a type clash.
plan() {
  have="$(existing)" || return 1
  MISSING=""
  for want in $WANTED; do
    name="${want%%=*}"
    type="${want#*=}"
    got="$(printf '%s\n' "$have" | sed -n "s/^$name=//p")"
    if [ -z "$got" ]; then
      MISSING="$MISSING --name $name --type $type"
    elif [ "$got" != "$(norm_type "$type")" ]; then
      fail "search attribute $name exists in namespace $NAMESPACE with type $got, but Nachfass needs $type (remove it with: temporal operator search-attribute remove --namespace $NAMESPACE --name $name)"
    fi
  done
}

i=0
while :; do
  i=$((i + 1))
  created=0
  # The namespace may need a few seconds to reach every part of the server after its creation.
  if plan; then
    [ -n "$MISSING" ] || break
    # shellcheck disable=SC2086 # MISSING is a list of words by design
    if temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" $MISSING >"$OUT" 2>&1; then
      say "registered:$(printf '%s' "$MISSING" | sed -e 's/ --name / /g' -e 's/ --type /=/g')"
      created=1
    fi
    # A failure such as "already exists" (a concurrent run) is fine: the next plan() sees it.
  fi
  [ "$i" -lt "$ATTEMPTS" ] || { cat "$OUT" >&2; fail "could not register the search attributes in namespace $NAMESPACE"; }
  [ "$created" = 1 ] || sleep "$PAUSE"
done
say "namespace $NAMESPACE has the search attributes:$WANTED"
