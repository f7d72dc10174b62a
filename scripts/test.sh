#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test with ctest.
# Extra arguments go to ctest (e.g. -R integration).
source "$(dirname "$0")/lib.sh"
install_packages
build
log "running the tests"
cd "$BUILD"
# in parallel, one test per core: every test runs its own servers on ports of its own
ctest --output-on-failure --no-tests=error --timeout 600 -j"$(nproc)" "$@"
