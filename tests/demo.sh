#!/bin/bash
# make demo: one whole hibernate/resume cycle of a guest in QEMU, with timings.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
echo "khibernate demo: hibernate a QEMU guest running a workload, cold-boot it, resume, verify."
echo "(log and images kept in build/test-tmp/)"
bash "$top/tests/qemu/t3000-khibernate-cycle.sh" --keep
