#!/usr/bin/env bash
# The allocation-failure sweep, bounded for CI: tests/failsweep.sh with six
# injection points per sample and two per unit test binary, plus one
# seeded random run of each (about a minute under ASan). `make failsweep` runs the long one (every allocation
# of every sample). See tests/failsweep.sh for what must hold.
#
# usage: alloc_fail.sh BUILD_DIR SOURCE_DIR
exec bash "${2:?usage: alloc_fail.sh BUILD_DIR SOURCE_DIR}/tests/failsweep.sh" "$1" "$2" 6 2 1
