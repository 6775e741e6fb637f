#!/bin/sh
# dracut pre-mount hook (sourced by dracut): resume a khibernate image, as the
# initramfs-tools script does. khib-resume discards the image whenever it does not resume it;
# should it fail itself, the second run discards whatever is there.
if getarg khibernate.resume= > /dev/null; then
	khib-resume || khib-resume --discard
fi
