#!/bin/sh
# `npm test`: everything, in the order that fails fastest. Steps that do not depend on
# each other run side by side, one per core: the static checks beside the unit tests,
# the parity tests beside the site builds. The browser tests need the build and the
# machine to themselves, so they run last, alone.
set -e
# The browser tests need Chromium: without it, stop now (one line), not after ten minutes.
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "npm test: no Chromium at $chromium: install Debian's (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary" >&2
  exit 1
fi
npm run check &
check=$!
npx vitest run
wait "$check"
npx vitest run -c vitest.parity.config.ts &
parity=$!
npx astro build
# The site built under a base path, for the browser tests' "built under another address"
# (they build it themselves when SITE_BASE_DIST is not set): beside the parity tests too.
rm -rf tmp/site-base
SITE=https://example.org BASE=/course/pruning/ npx astro build --outDir tmp/site-base >/dev/null
wait "$parity"
SITE_BASE_DIST=tmp/site-base npx vitest run -c vitest.e2e.config.ts
