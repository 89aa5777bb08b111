#!/bin/bash
# Instruction counts of every kernel at a reduced size, load-free:
#   bash benches/compare/kernels/callgrind.sh SKEIN_BINARY
# prints "kernel Ir" lines (callgrind of `skein run --budget 0 K.sk --param n=N`).
HERE=$(cd "$(dirname "$0")" && pwd)
declare -A N=([binary_trees]=10 [fannkuch]=7 [json_walk]=300 [knapsack]=100 [lcs]=300
  [nbody]=2000 [nqueens]=9 [pathfind]=60 [pqsim]=20000 [spectral_norm]=60 [wordcount]=40000)
for k in $(printf '%s\n' "${!N[@]}" | sort); do
  ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" run --budget 0 \
    "$HERE/$k.sk" --param n="${N[$k]}" 2>&1 >/dev/null | awk '/refs:/ {print $NF}')
  echo "$k $ir"
done
