#!/usr/bin/env bash
# `npm start` (or `yarn start`): the local demo, on a machine with only git, Node and Python 3.
# Sets up the project's Node and Yarn, the dependencies and moto (each only when missing), then
# becomes the demo's supervisor process, so a signal to this command reaches it directly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/env.sh
source .ci/ensure-dependencies.sh
source .ci/ensure-python-tools.sh
exec node --require @backstage/cli/config/nodeTransform.cjs examples/local-demo/src/start.ts "$@"
