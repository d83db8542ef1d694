#!/bin/sh
# `npm test`: everything, in the order that fails fastest. The parity tests and the site
# build do not depend on each other, so they run side by side (one per core); the browser
# tests need the build and the machine to themselves, so they run last, alone.
set -e
npm run check
npx vitest run
npx vitest run -c vitest.parity.config.ts &
parity=$!
npx astro build
wait "$parity"
npx vitest run -c vitest.e2e.config.ts
