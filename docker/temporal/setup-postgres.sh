#!/bin/sh
# One-shot (service temporal-schema, image temporalio/admin-tools): creates Temporal's two
# PostgreSQL databases if missing and brings their schemas up to the version of the image's
# temporal-sql-tool. Safe to run on every `docker compose up`: setup-schema and update-schema
# skip what is already there.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (PostgreSQL host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${POSTGRES_PWD:?POSTGRES_PWD is required}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

export SQL_PASSWORD="$POSTGRES_PWD" PGPASSWORD="$POSTGRES_PWD"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --endpoint "$POSTGRES_SEEDS" --port "$DB_PORT" \
    --user "$POSTGRES_USER" "$@"
}
psql_q() {
  psql -h "$POSTGRES_SEEDS" -p "$DB_PORT" -U "$POSTGRES_USER" -d postgres -tAq -c "$1"
}

# depends_on waits for PostgreSQL's health check; wait a little more in case it just restarted.
i=0
until psql_q 'SELECT 1' >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -ge 60 ]; then
    echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT did not accept connections within 60 s" >&2
    psql_q 'SELECT 1' || true
    exit 1
  fi
  sleep 1
done

for db in "$DBNAME" "$VISIBILITY_DBNAME"; do
  if [ "$(psql_q "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ]; then
    echo "database $db: exists"
  else
    sql_tool --database "$db" create-database
    echo "database $db: created"
  fi
done

sql_tool --database "$DBNAME" setup-schema -v 0.0
sql_tool --database "$DBNAME" update-schema -d "$SCHEMA_DIR/temporal/versioned"
sql_tool --database "$VISIBILITY_DBNAME" setup-schema -v 0.0
sql_tool --database "$VISIBILITY_DBNAME" update-schema -d "$SCHEMA_DIR/visibility/versioned"
echo "Temporal schemas in $DBNAME and $VISIBILITY_DBNAME are up to date"
