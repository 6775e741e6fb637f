#!/bin/bash
# khibernate --reboot on one vCPU: t3000's three cycles, with the helper rebooting instead of
# powering off (QEMU runs with -no-reboot, so a reboot also ends the process).
KHIB_SMP=1
KHIB_KHIB_ARGS=--reboot
. "$(dirname "$0")/t3000-khibernate-cycle.sh"
