#!/usr/bin/env bash
# `npm run test:e2e` (or `yarn test:e2e`): the browser test, on a machine with only git, Node and
# Python 3. Sets up what `npm start` needs plus Chromium, then becomes the test process, so a
# signal to this command reaches it directly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/env.sh
source .ci/ensure-dependencies.sh
source .ci/ensure-python-tools.sh
source .ci/ensure-chromium.sh
exec node --require @backstage/cli/config/nodeTransform.cjs examples/e2e/src/createMlService.e2e.ts "$@"
