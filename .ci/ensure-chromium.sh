# Sourced by .ci/test-e2e.sh: Chromium for the browser test (yarn test:e2e). Installs
# Debian's package when no Chromium is on PATH; the test drives it with
# playwright-core and never downloads a browser of its own.

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "installing Chromium from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null || chromium-browser --version
