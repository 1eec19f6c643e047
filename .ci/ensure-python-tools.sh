#!/usr/bin/env bash
# Makes sure moto (with its server) and the AWS CLI are importable/on PATH.
# pip may only reach a local package mirror configured as an *extra* index;
# use it as the main index so pip does not wait on an unreachable default.
set -euo pipefail

missing=()
python3 -c 'import moto.server, flask_cors' 2>/dev/null || missing+=('moto[server]')
command -v aws >/dev/null 2>&1 || missing+=('awscli')
if [ ${#missing[@]} -eq 0 ]; then
  echo "moto server and AWS CLI present"
  exit 0
fi

pip_args=()
extra=$(pip config get global.extra-index-url 2>/dev/null || true)
if [ -n "$extra" ]; then
  read -r -a indexes <<<"$extra"
  pip_args+=(--index-url "${indexes[0]}")
  for index in "${indexes[@]:1}"; do pip_args+=(--extra-index-url "$index"); done
fi
echo "installing: ${missing[*]}"
python3 -m pip install --quiet "${pip_args[@]}" "${missing[@]}"
