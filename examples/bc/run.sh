#!/usr/bin/env bash
# The whole behaviour-cloning recipe: record scripted demonstrations, train a
# state MLP and an image CNN (checkpoints at several stages), evaluate every
# checkpoint with the torchscript adapter and the final MLP also through the
# python and remote adapters, then print the ranking. See README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${GAUNTLET_BIN:-build/release/bin/gauntlet}
PY=/usr/bin/python3
OUT=${OUT:-out/bc}
TASK=${TASK:-open-the-drawer}
DEMOS=${DEMOS:-100}
EPISODES=${EPISODES:-20}
WORKERS=${WORKERS:-$(nproc)}
SIZE=${SIZE:-64}
MLP_EPOCHS=${MLP_EPOCHS:-30}
MLP_SAVE=${MLP_SAVE:-1,3,10,30}
CNN_EPOCHS=${CNN_EPOCHS:-20}
CNN_SAVE=${CNN_SAVE:-1,5,20}
PORT=${PORT:-8765}

mkdir -p "$OUT/results"
plan=(--suite tabletop-smoke --task "$TASK" --episodes "$EPISODES" --workers "$WORKERS")

# 1. Demonstrations from the scripted expert (robomimic/LIBERO layout).
"$BIN" record --suite tabletop-smoke --task "$TASK" --episodes "$DEMOS" --workers "$WORKERS" \
  --camera agentview --image-size "${SIZE}x${SIZE}" --out "$OUT/demos.h5" --force

# 2. Training; each checkpoint holds checkpoint.pt, model.pt (TorchScript), policy.yaml.
$PY examples/bc/train.py --demos "$OUT/demos.h5" --kind mlp --out "$OUT/mlp" --epochs "$MLP_EPOCHS" --save-at "$MLP_SAVE"
$PY examples/bc/train.py --demos "$OUT/demos.h5" --kind cnn --out "$OUT/cnn" --epochs "$CNN_EPOCHS" --save-at "$CNN_SAVE"

# 3. Every checkpoint through the torchscript adapter: a ladder of policy quality.
files=()
for kind in mlp cnn; do
  for ckpt in "$OUT/$kind"/epoch_*; do
    label="$kind-$(basename "$ckpt")"
    rm -f "$OUT/results/$label.h5"
    "$BIN" run "${plan[@]}" --out "$OUT/results/$label.h5" \
      --policy "torchscript:$ckpt/model.pt,config=$ckpt/policy.yaml,name=$label"
    files+=("$OUT/results/$label.h5")
  done
done

# 4. The final MLP through the python and remote adapters (same weights).
last=$(ls -d "$OUT/mlp"/epoch_* | tail -1)
rm -f "$OUT/results/mlp-python.h5" "$OUT/results/mlp-remote.h5"
"$BIN" run "${plan[@]}" --out "$OUT/results/mlp-python.h5" \
  --policy "python:bc_policy:BCPolicy,path=examples/bc,checkpoint=$last/checkpoint.pt,replan_every=2,name=mlp-python"
rm -f "$OUT/server.port"
$PY examples/policy_server/openpi_server.py --policy bc_policy:BCPolicy --path examples/bc \
  --arg checkpoint="$last/checkpoint.pt" --port "$PORT" --port-file "$OUT/server.port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$OUT/server.port" ] && break; sleep 0.1; done
"$BIN" run "${plan[@]}" --out "$OUT/results/mlp-remote.h5" \
  --policy "remote:ws://127.0.0.1:$PORT,replan_every=2,name=mlp-remote"
files+=("$OUT/results/mlp-python.h5" "$OUT/results/mlp-remote.h5")

"$BIN" report "${files[@]}" --out "$OUT/report" --print
