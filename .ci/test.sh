#!/usr/bin/env bash
# `npm test` (or `yarn test`): every test, on a machine with only git, Node and Python 3. Sets up
# the project's Node and Yarn, the dependencies, moto and the AWS CLI, PostgreSQL (store tests) and
# Redis (scale-out test), each only when missing, runs the tests (arguments go to the test runner,
# e.g. a path) and stops the servers it had to start.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/env.sh
source .ci/ensure-dependencies.sh
source .ci/ensure-python-tools.sh

# Leaves the machine's services as it found them: a server this command started, it stops.
mlops_stop_started_services() {
  if [ "${MLOPS_REDIS_STARTED:-}" = 1 ]; then
    mlops_redis_stop
  fi
  if [ "${MLOPS_POSTGRES_STARTED:-}" = 1 ]; then
    mlops_postgres_stop
  fi
}
trap mlops_stop_started_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
source .ci/ensure-postgres.sh
source .ci/ensure-redis.sh
yarn test:all "$@"
