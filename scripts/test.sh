#!/bin/sh
# `npm test`: everything, in the order that fails fastest. Steps that do not depend on
# each other run side by side, one per core: the static checks beside the unit tests,
# the parity tests beside the site build. The browser tests need the build and the
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
wait "$parity"
npx vitest run -c vitest.e2e.config.ts
