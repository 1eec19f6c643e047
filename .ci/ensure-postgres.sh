# Sourced by .ci/test.sh: a real PostgreSQL server for the store tests, which run
# on SQLite and on PostgreSQL. Installs Debian's server when missing, starts
# its cluster, and exports the connection string @backstage/backend-test-utils
# reads (BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING). Sets MLOPS_POSTGRES_STARTED=1
# when it started the cluster; `mlops_postgres_stop` stops it.

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "installing PostgreSQL from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
mlops_pg_version=$(ls /etc/postgresql | sort -V | tail -n 1)
mlops_postgres_stop() {
  pg_ctlcluster --skip-systemctl-redirect "$mlops_pg_version" main stop
}
if ! pg_ctlcluster --skip-systemctl-redirect "$mlops_pg_version" main status >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$mlops_pg_version" main start
  MLOPS_POSTGRES_STARTED=1
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
export "BACKSTAGE_TEST_DATABASE_POSTGRES${mlops_pg_version}_CONNECTION_STRING=postgresql://postgres:postgres@localhost:5432"
echo "PostgreSQL $mlops_pg_version running; store tests will use it"
