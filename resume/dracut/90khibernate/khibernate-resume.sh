#!/bin/sh
# dracut sources its hooks: run the resume hook as its own process, so that its exits and
# variables stay its own.
/usr/lib/khibernate/resume-hook
