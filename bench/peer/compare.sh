#!/usr/bin/env bash
# The main job next to its PyTorch peer, one after the other on this machine: `npm run demo` (Retina,
# wasm, configs/demo.yaml, 540 s of training) then torchvision RetinaNet ResNet-18-FPN from scratch at
# 320 px for 600 s on 2 threads; both detections are scored by retina-eval --gt/--dt on the raccoon val split.
# usage: bash bench/peer/compare.sh [OUT]   (default runs/compare; needs Debian's python3-torch/-torchvision)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/compare}
mkdir -p "$OUT"
VAL=data/raccoon/annotations/instances_val.json
start=$(date +%s)
npm run demo 2>&1 | tee "$OUT/demo.log" | grep -v '"kind":"step"' | grep -E "engine|threads|epoch|AP|detections|wrote|data:" || true
echo "retina demo wall: $(( $(date +%s) - start )) s" | tee -a "$OUT/summary.txt"
node apps/eval/bin/retina-eval.js --gt "$VAL" --dt runs/demo/dt.json --json "$OUT/retina-eval.json" | head -3 | tee -a "$OUT/summary.txt"
start=$(date +%s)
/usr/bin/python3 bench/peer/torch_retinanet.py --train-ann data/raccoon/annotations/instances_train.json --val-ann "$VAL" \
  --images data/raccoon/images --out "$OUT/torch" --seconds 600 --threads 2 --size 320 --batch 4 | tee -a "$OUT/summary.txt"
echo "torch peer wall: $(( $(date +%s) - start )) s" | tee -a "$OUT/summary.txt"
node apps/eval/bin/retina-eval.js --gt "$VAL" --dt "$OUT/torch/dt.json" --json "$OUT/torch-eval.json" | head -3 | tee -a "$OUT/summary.txt"
