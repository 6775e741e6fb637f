#!/bin/bash
# khibernate --reboot on one vCPU: t3000's three cycles, with the helper rebooting instead of
# powering off (QEMU runs with -no-reboot, so a reboot also ends the process; t3000 then
# checks the console for "reboot: Restarting system" instead of "reboot: Power down").
KHIB_SMP=1
KHIB_KHIB_ARGS=--reboot
t3000=$(dirname "$0")/t3000-khibernate-cycle.sh
[ -r "$t3000" ] || { echo "Bail out! $t3000 is missing"; exit 1; }
. "$t3000"
