#!/usr/bin/env bash
# The GPU checks of the time-to-answer targets, as one script (each step capped so the whole ends in
# about 8 minutes). Run from the repository root on a CUDA machine; logs go to ${OUT:-gpu-checks}/.
#   ECG_BENCH_DATA=/path/with/ptbxl bash scripts/gpu_checks.sh
set -u
OUT=${OUT:-gpu-checks}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
DEEP='resnet1d*,xresnet1d*,inceptiontime1d,vgg*,alexnet1d,lstm,gru,crnn,transformer1d,hsmnet'
R=$(mktemp -d)
step() {  # name, seconds cap, command...
  local name=$1 cap=$2; shift 2
  local t0=$SECONDS
  timeout "$cap" "$@" > "$OUT/$name.log" 2>&1; local rc=$?
  printf '%-18s rc=%-3s %4ss  %s\n' "$name" "$rc" "$((SECONDS - t0))" "$(grep -E '^study ' "$OUT/$name.log" | tail -1)" | tee -a "$OUT/summary.txt"
}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/summary.txt"
python3 -c "import torch; print('torch', torch.__version__, 'bf16', torch.cuda.is_bf16_supported())" | tee -a "$OUT/summary.txt"
# 1. 20 smoke trials over every deep family: no failed trial (also builds the store and checkpoints)
step smoke20 170 python3 -m benchmark.search --task pe --budget smoke --trials 20 --models "$DEEP" --device cuda --results-dir "$R/a"
# 2. finished trials per minute: 4 workers sharing the GPU against 1, same seed, warm caches
step workers4 75 python3 -m benchmark.search --task pe --budget smoke --trials 400 --timeout 60 --n-workers 4 --models "$DEEP" --device cuda --results-dir "$R/b"
step workers1 75 python3 -m benchmark.search --task pe --budget smoke --trials 400 --timeout 60 --n-workers 1 --models "$DEEP" --device cuda --results-dir "$R/c"
# 3. our loop against a bare PyTorch loop, every family, bf16
step bench_train 60 python3 scripts/bench_train.py --device cuda
step bench_train_500hz 30 python3 scripts/bench_train.py --device cuda --models resnet1d18 --length 5000 --crop 2048
# 4. the full budget, every model, for 150 s: trials per hour on one GPU
step full150 170 python3 -m benchmark.search --task pe --budget full --trials 200 --timeout 150 --device cuda --results-dir "$R/d"
grep -h "FAIL\|failed" "$OUT"/smoke20.log | tail -5 >> "$OUT/summary.txt"
