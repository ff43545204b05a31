#!/usr/bin/env bash
# Mutation testing (tests/mutation/run.py) at the lowest CPU priority:
# `make mutation` runs it; arguments go through (see run.py --help).
exec nice -n 19 python3 "$(dirname "$0")/run.py" "$@"
