# Sourced after .ci/env.sh by the run, test and CI commands: installs the workspace's npm
# dependencies when node_modules is missing or older than the lockfile or a package manifest
# (after a clone or a pull), and does nothing otherwise. In CI the lockfile must not change.

mlops_install_stamp="$MLOPS_ROOT/node_modules/.mlops-installed"

mlops_dependencies_stale() {
  [ ! -f "$mlops_install_stamp" ] && return 0
  [ -n "$(cd "$MLOPS_ROOT" && find yarn.lock .yarnrc.yml package.json \
    plugins/*/package.json packages/*/package.json tools/*/package.json examples/*/package.json \
    -newer "$mlops_install_stamp" 2>/dev/null)" ]
}

if mlops_dependencies_stale; then
  echo "installing dependencies (yarn install; about 2 minutes the first time)"
  if [ -n "${CI:-}" ]; then
    (cd "$MLOPS_ROOT" && yarn install --immutable) || return 1
  else
    (cd "$MLOPS_ROOT" && yarn install) || return 1
  fi
  touch "$mlops_install_stamp"
fi
