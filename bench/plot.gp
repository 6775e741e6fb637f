# make bench: hibernate and resume time against memory in use, one line per configuration.
# gnuplot -e 'dat="plot.dat"; out="x.svg"; n=6' bench/plot.gp  (dat: one block per config,
# titled by its first line; columns: MiB in use, hibernate s, resume s)
set terminal svg size 960,420 dynamic font "sans,11"
set output out
set multiplot layout 1,2
set key top left
set grid
set xrange [0:*]
set yrange [0:*]
set xlabel "memory in use (MiB)"
set ylabel "seconds"
set title "hibernate: command to power-off"
plot for [i=0:n-1] dat index i using 1:2 with linespoints title columnheader(1)
set title "resume: QEMU start to resumed"
plot for [i=0:n-1] dat index i using 1:3 with linespoints title columnheader(1)
unset multiplot
