#!/bin/sh
# Our dist/computehub.js as a binary started the way upstream's computehub is: no arguments,
# its computehub.toml found through IDM_GRIDCORE_CONFIG. CI runs the contract suite once more
# with GRIDCORE_HUB_BINARY pointing here (build first: node esbuild.mjs --only=computehub).
exec node "$(dirname "$0")/../../dist/computehub.js"
