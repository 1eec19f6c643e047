# Sourced by the run, test and CI commands: makes sure `moto_server` and `aws` (the AWS CLI) are on
# PATH, which the tests and `npm start` use. When either is missing, and python3 cannot already
# import moto and awscli (installed without their commands on PATH), they are installed into a
# virtualenv in the git-ignored .ci/.cache/, so the system Python is never modified. pip may only
# reach a local package mirror set up as an *extra* index; it is then used as the main index so pip
# does not wait on an unreachable default.

# Commands for a python3 that has the packages but not their scripts on PATH.
mlops_python_tools_wrap() {
  local python
  python=$(python3 -c 'import sys; print(sys.executable)')
  mkdir -p "$1/bin"
  printf '#!/bin/sh\nexec "%s" -m moto.server "$@"\n' "$python" >"$1/bin/moto_server"
  printf '#!/bin/sh\nexec "%s" -m awscli "$@"\n' "$python" >"$1/bin/aws"
  chmod +x "$1/bin/moto_server" "$1/bin/aws"
}

mlops_python_tools_present() {
  command -v moto_server >/dev/null 2>&1 && command -v aws >/dev/null 2>&1
}

if mlops_python_tools_present; then
  echo "moto_server and aws found on PATH"
else
  mlops_venv="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.cache/python-tools"
  if { [ ! -x "$mlops_venv/bin/moto_server" ] || [ ! -x "$mlops_venv/bin/aws" ]; } &&
    python3 -c 'import moto.server, awscli' 2>/dev/null; then
    echo "python3 has moto and awscli without their commands on PATH: adding them"
    mlops_python_tools_wrap "$mlops_venv"
  fi
  if [ ! -x "$mlops_venv/bin/moto_server" ] || [ ! -x "$mlops_venv/bin/aws" ]; then
    echo "installing moto[server] and awscli into $mlops_venv"
    python3 -m venv "$mlops_venv"
    mlops_pip_args=()
    mlops_extra=$(python3 -m pip config get global.extra-index-url 2>/dev/null || true)
    if [ -n "$mlops_extra" ]; then
      read -r -a mlops_indexes <<<"$mlops_extra"
      mlops_pip_args+=(--index-url "${mlops_indexes[0]}")
      for mlops_index in "${mlops_indexes[@]:1}"; do
        mlops_pip_args+=(--extra-index-url "$mlops_index")
      done
    fi
    if ! "$mlops_venv/bin/pip" install --quiet "${mlops_pip_args[@]}" 'moto[server]' awscli; then
      echo "ERROR: moto[server] and awscli are needed by the tests and could not be installed;" >&2
      echo "       install them with your Python's pip (they must put moto_server and aws on PATH)." >&2
      return 1
    fi
  fi
  export PATH="$mlops_venv/bin:$PATH"
  mlops_python_tools_present
fi
