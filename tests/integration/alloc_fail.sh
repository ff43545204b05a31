#!/usr/bin/env bash
# The allocation-failure sweep, bounded for CI: tests/failsweep.sh with a
# dozen injection points per sample and a few per unit test binary, plus
# seeded random runs. `make failsweep` runs the long one (every allocation
# of every sample). See tests/failsweep.sh for what must hold.
#
# usage: alloc_fail.sh BUILD_DIR SOURCE_DIR
exec bash "${2:?usage: alloc_fail.sh BUILD_DIR SOURCE_DIR}/tests/failsweep.sh" "$1" "$2" 12 8 2
