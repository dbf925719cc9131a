#!/usr/bin/env bash
# The GPU checks of issue 22 as one script, each step capped so the whole ends in about 8 minutes
# (H100/H200). It prints every table the issue asks for; logs go to ${LOGS:-gpu-checks}/ (or
# $OUT/gpu-checks on the device machine) and the step summary to summary.txt there.
#
#   ECG_BENCH_DATA=/path/with/ptbxl WHEELS=wheels bash scripts/gpu_checks.sh [--device cpu] [--quick]
#
# No internet is needed: the machine's python3 has torch, numpy, pandas, scipy, scikit-learn,
# numba, rich, xxhash; the packages it lacks are installed from wheels carried in $WHEELS
# (default wheels/, ignored by git and carried), made beforehand on a machine with internet, without
# the dependencies the machine already has (numpy, pandas, scipy, ... must not be shadowed):
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d wheels \
#     optuna alembic sqlalchemy mako colorlog greenlet wfdb soundfile cffi pycparser sktime scikit-base \
#     plotly scikit-posthocs  [ray]   (ray's wheel is large: check that it fits the 64 MiB a device call carries)
# (unzip -p wheels/NAME-*.whl '*/METADATA' | grep ^Requires-Dist lists what else a wheel needs)
# --device cpu runs the same steps on the CPU, shortened (a syntax and wiring check without a GPU);
# --quick shortens every cap (a dry run).
set -u
DEVICE=cuda; QUICK=0
for arg in "$@"; do
  case $arg in
    --device) ;;
    cpu|cuda|cuda:*) DEVICE=$arg ;;
    --device=*) DEVICE=${arg#--device=} ;;
    --quick) QUICK=1 ;;
    *) echo "gpu_checks.sh: unknown argument $arg (use --device cpu|cuda, --quick)" >&2; exit 2 ;;
  esac
done
LOGS=${LOGS:-${OUT:+$OUT/}gpu-checks}; mkdir -p "$LOGS"; : > "$LOGS/summary.txt"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
WHEELS=${WHEELS:-wheels}
if ! python3 -c "import optuna, wfdb, sktime" 2>/dev/null; then
  [ -d "$WHEELS" ] || { echo "optuna/wfdb/sktime missing and no wheel folder $WHEELS" >&2; exit 3; }
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site "$WHEELS"/*.whl || exit 3
  export PYTHONPATH=$PYTHONPATH:/tmp/site
fi
DEEP='resnet1d*,xresnet1d*,inceptiontime1d,vgg*,alexnet1d,lstm,gru,crnn,transformer1d,hsmnet'
R=$(mktemp -d)
cap() { if [ "$QUICK" = 1 ]; then echo $(( ($1 + 3) / 4 )); else echo "$1"; fi; }
step() {  # name, seconds cap, command...: the log is printed whole (it holds the step's table)
  local name=$1 limit; limit=$(cap "$2"); shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$LOGS/$name.log" 2>&1; local rc=$?
  echo "=== $name (rc=$rc, $((SECONDS - t0)) s of $limit)"; grep -v '^\s*$' "$LOGS/$name.log" | tail -40
  printf '%-18s rc=%-3s %4ss  %s\n' "$name" "$rc" "$((SECONDS - t0))" \
    "$(grep -E '^study ' "$LOGS/$name.log" | tail -1)" >> "$LOGS/summary.txt"
}
if [ "$DEVICE" = cpu ]; then
  echo "device: CPU ($(nproc) cores): GPU figures are NOT measured by this run" | tee -a "$LOGS/summary.txt"
  RECORDS=16; STEPS=4; FULL="--sizes small"; MODELS500=resnet1d18
else
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$LOGS/summary.txt"
  RECORDS=512; STEPS=24; FULL="--sizes full --skip-torch-cpu"; MODELS500=resnet1d18,xresnet1d18,inceptiontime1d,vgg11_1d,lstm,transformer1d
fi
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'bf16', torch.cuda.is_available() and torch.cuda.is_bf16_supported())" | tee -a "$LOGS/summary.txt"

# 1. rocket: torch transform on the device against sktime's numba transform (CPU), full size, 512 records
step rocket 60 python3 scripts/bench_rocket.py --device "$DEVICE" --records "$RECORDS" $FULL --threads "$(nproc)"
# 2. loop / bare, every family, bf16: 100 Hz crop 250 (all families), 500 Hz crop 2048 (one per family)
step loop100hz 50 python3 scripts/bench_train.py --device "$DEVICE" --steps "$STEPS" --settings 1000:250
step loop500hz 45 python3 scripts/bench_train.py --device "$DEVICE" --steps "$STEPS" --settings 5000:2048 --models "$MODELS500"
# 3. workers sharing the GPU: finished trials in 50 s with 1 and 4 workers (small budget, warm store)
step warmup 30 python3 -m benchmark.search --task pe --budget smoke --trials 2 --models resnet1d18 --device "$DEVICE" --results-dir "$R/w"
for n in 1 4; do
  step "workers$n" 65 python3 -m benchmark.search --task pe --budget small --trials 200 --timeout 50 --n-workers "$n" \
    --models "$DEEP,minirocket" --device "$DEVICE" --results-dir "$R/n$n"
done
# 4. the Ray engine on one GPU, 4 trials at once with --gpus-per-trial 0.25
if python3 -c "import ray" 2>/dev/null; then
  GPT=0.25; [ "$DEVICE" = cpu ] && GPT=0
  step ray 60 python3 -m benchmark.search --task pe --budget smoke --trials 8 --engine ray \
    --gpus-per-trial "$GPT" --cpus-per-trial 1 --models "$DEEP" --device "$DEVICE" --results-dir "$R/ray"
else
  echo "=== ray: not installed (carry its wheel in $WHEELS): Ray engine NOT measured" | tee -a "$LOGS/summary.txt"
fi
# 5. the full budget with full-size rocket baselines for 90 s: trials per hour on one GPU
step full 100 python3 -m benchmark.search --task pe --budget full --trials 200 --timeout 85 --device "$DEVICE" \
  --results-dir "$R/full"
echo "=== summary"; cat "$LOGS/summary.txt"
grep -h "FAIL\|failed" "$LOGS"/workers*.log "$LOGS"/full.log 2>/dev/null | tail -5
