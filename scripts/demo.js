#!/usr/bin/env node
/**
 * `npm run demo`: trains on the bundled dataset (configs/demo.yaml) into runs/demo, then runs
 * `retina-eval --model` on the validation split, writing runs/demo/dt.json and runs/demo/eval.json.
 * Extra arguments go to retina-train (e.g. `npm run demo -- --time-limit 120`).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const run = (bin, args) => {
  console.log(`\n$ ${bin} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(root, 'apps', bin.replace('retina-', ''), 'bin', `${bin}.js`), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const out = 'runs/demo';
rmSync(join(root, out), { recursive: true, force: true });
run('retina-train', ['--config', 'configs/demo.yaml', '--out', out, '--time-limit', '540', ...process.argv.slice(2)]);
run('retina-eval', [
  '--model', `${out}/model`,
  '--ann', 'data/raccoon/annotations/instances_val.json',
  '--images', 'data/raccoon/images',
  '--out', `${out}/dt.json`,
  '--json', `${out}/eval.json`,
]);
