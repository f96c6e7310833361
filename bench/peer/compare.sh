#!/usr/bin/env bash
# The main job next to its PyTorch peer, one after the other on this machine: `npm run demo` (Retina,
# wasm, configs/demo.yaml, 540 s of training) then torchvision RetinaNet ResNet-18-FPN from scratch with
# the recipe of our published PyTorch figures (trainable BatchNorm, AdamW 4e-4, longer side PEER_SIZE,
# batch 4, 2 threads, 600 s; bench/peer/torch_retinanet.py). Both detections are scored by
# retina-eval --gt/--dt on the raccoon val split, and a markdown table compares them at the end.
#
# PEER_SIZE (default 384) is the peer's LONGER image side. Keep it matched to the demo's input pixels:
# configs/demo.yaml resizes to 256 px shorter side capped at 384 px longer side, and the bundled raccoon
# photos are at most 384 px, so today the demo's inputs have a longer side of (at most) 384. If the
# demo's image-size / max-size change, change PEER_SIZE with them.
#
# usage: bash bench/peer/compare.sh [OUT]          (default runs/compare; about 20 minutes)
#        bash bench/peer/compare.sh --table [OUT]  (only reprint the table from the files in OUT)
# needs Debian's python3-torch/-torchvision at /usr/bin/python3 (no pycocotools). Timings are only
# meaningful on an otherwise quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
TABLE_ONLY=0
if [ "${1:-}" = "--table" ]; then TABLE_ONLY=1; shift; fi
OUT=${1:-runs/compare}
PEER_SIZE=${PEER_SIZE:-384}
VAL=data/raccoon/annotations/instances_val.json
mkdir -p "$OUT"

table() {
  node - "$OUT" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const out = process.argv[2];
const read = (f) => { try { return fs.readFileSync(path.join(out, f), 'utf8'); } catch { return undefined; } };
const json = (f) => { const t = read(f); try { return t === undefined ? undefined : JSON.parse(t); } catch { return undefined; } };
const stats = (f) => json(f)?.stats;
const num = (x, d) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
const rows = [];
// ours: the epoch records of the demo's metrics.jsonl (seconds exclude validation and checkpoints)
const epochs = (read('demo-metrics.jsonl') ?? '').split('\n').filter((l) => l.includes('"kind":"epoch"'))
  .map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).filter(Boolean);
const secs = epochs.reduce((s, r) => s + r.seconds, 0);
const imgs = epochs.reduce((s, r) => s + r.imagesPerSec * r.seconds, 0);
const s1 = stats('retina-eval.json');
rows.push(['Retina (npm run demo)', epochs.length ? imgs / secs : undefined, epochs.length ? secs : undefined,
  epochs.length ? Math.max(...epochs.map((r) => r.iteration)) : undefined, s1?.[0], s1?.[1], s1?.[2]]);
// the peer: its one JSON line
const line = (read('torch.json') ?? '').split('\n').reverse().find((l) => l.trim().startsWith('{'));
let peer; try { peer = line && JSON.parse(line); } catch { peer = undefined; }
const s2 = stats('torch-eval.json');
rows.push([`PyTorch RetinaNet R18-FPN scratch${peer ? ` (${peer.size} px, ${peer.threads} thr)` : ''}`,
  peer?.train_images_per_s, peer?.train_seconds, peer?.steps, s2?.[0], s2?.[1], s2?.[2]]);
console.log('| detector | train images/s | train s | steps | AP | AP50 | AP75 |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, ips, s, steps, ap, ap50, ap75] of rows) {
  console.log(`| ${name} | ${num(ips, 2)} | ${num(s, 0)} | ${num(steps, 0)} | ${num(ap, 4)} | ${num(ap50, 4)} | ${num(ap75, 4)} |`);
}
EOF
}

QUIET="NOTE: timings are only meaningful if this machine was otherwise quiet (no other jobs) for the whole run."
if [ "$TABLE_ONLY" = 1 ]; then table | tee "$OUT/table.md"; echo "$QUIET"; exit 0; fi
echo "$QUIET"
rm -f "$OUT/demo-metrics.jsonl" "$OUT/retina-eval.json" "$OUT/torch.json" "$OUT/torch-eval.json" "$OUT/table.md"

start=$(date +%s)
npm run demo 2>&1 | tee "$OUT/demo.log" | grep -v '"kind":"step"' | grep -E "engine|threads|epoch|AP|detections|wrote|data:" || true
echo "retina demo wall: $(( $(date +%s) - start )) s" | tee "$OUT/summary.txt"
cp runs/demo/metrics.jsonl "$OUT/demo-metrics.jsonl" || echo "no runs/demo/metrics.jsonl" >&2
node apps/eval/bin/retina-eval.js --gt "$VAL" --dt runs/demo/dt.json --json "$OUT/retina-eval.json" | head -3 | tee -a "$OUT/summary.txt" || true

start=$(date +%s)
/usr/bin/python3 bench/peer/torch_retinanet.py --train-ann data/raccoon/annotations/instances_train.json --val-ann "$VAL" \
  --images data/raccoon/images --out "$OUT/torch" --seconds 600 --threads 2 --size "$PEER_SIZE" --batch 4 \
  | tee "$OUT/torch.json" | tee -a "$OUT/summary.txt"
echo "torch peer wall: $(( $(date +%s) - start )) s" | tee -a "$OUT/summary.txt"
node apps/eval/bin/retina-eval.js --gt "$VAL" --dt "$OUT/torch/dt.json" --json "$OUT/torch-eval.json" | head -3 | tee -a "$OUT/summary.txt" || true

echo
table | tee "$OUT/table.md" | tee -a "$OUT/summary.txt"
echo "$QUIET" | tee -a "$OUT/summary.txt"
