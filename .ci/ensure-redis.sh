# Sourced by .ci/run and by developers: a Redis server for the scale-out test
# (two backend instances sharing one cache). Installs Debian's redis-server
# when missing, starts one on a free loopback port without persistence and
# exports MLOPS_TEST_REDIS_URL=redis://127.0.0.1:<port>. Sourcing it again
# reuses the running server. `mlops_redis_stop` stops the server it started
# (MLOPS_REDIS_STARTED=1 says this sourcing started it).

mlops_redis_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.cache/redis"

mlops_redis_answers() {
  [ -n "${1:-}" ] && [ "$(redis-cli -u "$1" ping 2>/dev/null)" = "PONG" ]
}

mlops_redis_stop() {
  if [ -f "$mlops_redis_dir/redis.pid" ]; then
    kill "$(cat "$mlops_redis_dir/redis.pid")" 2>/dev/null || true
    rm -f "$mlops_redis_dir/redis.pid" "$mlops_redis_dir/url"
  fi
  unset MLOPS_TEST_REDIS_URL
}

mlops_redis_start() {
  local port attempt
  mkdir -p "$mlops_redis_dir"
  # A port found free can be taken before redis binds it; then pick another.
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --daemonize yes --dir "$mlops_redis_dir" \
      --pidfile "$mlops_redis_dir/redis.pid" --logfile "$mlops_redis_dir/redis.log"; then
      for _ in $(seq 1 50); do
        if mlops_redis_answers "redis://127.0.0.1:$port"; then
          echo "redis://127.0.0.1:$port" >"$mlops_redis_dir/url"
          return 0
        fi
        sleep 0.1
      done
    fi
    echo "redis-server did not start on port $port (attempt $attempt); see $mlops_redis_dir/redis.log" >&2
  done
  return 1
}

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 redis-server >/dev/null
fi

if ! mlops_redis_answers "${MLOPS_TEST_REDIS_URL:-}"; then
  MLOPS_TEST_REDIS_URL=$(cat "$mlops_redis_dir/url" 2>/dev/null || true)
  if ! mlops_redis_answers "$MLOPS_TEST_REDIS_URL"; then
    mlops_redis_start || {
      echo "ERROR: could not start redis-server for the scale-out test" >&2
      return 1
    }
    MLOPS_TEST_REDIS_URL=$(cat "$mlops_redis_dir/url")
    MLOPS_REDIS_STARTED=1
  fi
fi
export MLOPS_TEST_REDIS_URL
echo "Redis running at $MLOPS_TEST_REDIS_URL; the scale-out test will use it"
