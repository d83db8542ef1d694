#!/bin/sh
# `npm test`: everything, in the order that fails fastest. Steps that do not depend on
# each other run side by side, one per core: the static checks beside the unit tests,
# the parity tests beside the site build. The browser tests need the build and the
# machine to themselves, so they run last, alone.
set -e
npm run check &
check=$!
npx vitest run
wait "$check"
npx vitest run -c vitest.parity.config.ts &
parity=$!
npx astro build
wait "$parity"
npx vitest run -c vitest.e2e.config.ts
