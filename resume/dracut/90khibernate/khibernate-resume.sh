#!/bin/sh
# dracut pre-mount hook (sourced by dracut): resume a khibernate image, as the
# initramfs-tools script does. khib-resume discards the image whenever it does not resume it;
# should it fail itself, the second run discards whatever is there.
# khib-resume writes each line to the kernel log, which prints it on the console at once and
# reaches the journal after the switch to the real root, and to its stderr, sent to the
# console here: dracut's hook services pass stderr to journald as well, where every line would
# then be twice, and journald may not copy the last one ("resuming") to the console before the
# jump to the helper.
if getarg khibernate.resume= > /dev/null; then
	khib-resume 2> /dev/console || khib-resume --discard 2> /dev/console
fi
