# GTKWave script: shows the board's key signals (firmware phase, IRQs, SA job tags/precision, DMA busy,
# rows 0 and 15, DRAM channels 0-1, PARTITION). Usage: gtkwave -S scripts/gtkwave_view.tcl out/board.vcd
set nfacs [gtkwave::getNumFacs]
set sigs [list]
for {set i 0} {$i < $nfacs} {incr i} {
  set n [gtkwave::getFacName $i]
  if {[string match "*cpu.phase*" $n] || [string match "*irq.*" $n] || [string match "*sa_*.job_tag*" $n] || [string match "*sa_*.job_precision*" $n] || [string match "*dma_busy*" $n] || [string match "*rows_0.*" $n] || [string match "*rows_15.*" $n] || [string match "*ch0.busy*" $n] || [string match "*ch1.busy*" $n] || [string match "*acc.partition*" $n]} {
    lappend sigs $n
  }
}

gtkwave::addSignalsFromList $sigs
gtkwave::/Time/Zoom/Zoom_Full
