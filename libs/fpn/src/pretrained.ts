/**
 * Backbone weights from named tensors — typically a Keras ResNet converted with the tfjs converter (a
 * LayersModel `model.json` + shards) — matched by layer name. Everything that does not fit is
 * reported (missing, unused, shape-mismatched), never silently skipped. Reading them from a directory
 * is `loadPretrainedBackbone` (Node: `@retina/fpn/node`); in a browser, pass what
 * `tf.io.loadWeights` or a `tf.io.IOHandler` gave you.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PretrainedWeightsError } from './errors';
import type { Backbone } from './resnet';

export interface PretrainedOptions {
  /**
   * Source weight name (without any model-name prefix) for one of our parameter names, or
   * undefined when the source has none. Default: `kerasResNetName` (Keras applications' ResNet).
   */
  mapName?: (name: string) => string | undefined;
  /** Throw a PretrainedWeightsError when anything is missing, unused or mismatched. Default false. */
  strict?: boolean;
}

export interface ShapeMismatch {
  name: string;
  source: string;
  expected: number[];
  got: number[];
}

export interface PretrainedReport {
  /** Our parameters that received a weight. */
  loaded: string[];
  /** Our backbone parameters the source has no weight for (they keep their initial values). */
  missing: string[];
  /** Source weights no parameter took. */
  unused: string[];
  /** Source weights of the right name but the wrong shape (not loaded). */
  shapeMismatched: ShapeMismatch[];
  /** Conv biases folded into the following batch norm's running mean (our convs have no bias). */
  foldedBiases: string[];
}

const BN_FIELDS: Record<string, string> = { gamma: 'gamma', beta: 'beta', mean: 'moving_mean', variance: 'moving_variance' };

/**
 * Keras applications' ResNet naming: `conv1_conv`, `conv1_bn`, `conv{stage+1}_block{b+1}_{k}_conv`
 * (k = 0 for the projection shortcut), with BN fields gamma, beta, moving_mean, moving_variance.
 */
export function kerasResNetName(name: string): string | undefined {
  const stem = /^backbone\/stem\/(conv|bn)\/(\w+)$/.exec(name);
  if (stem) return stem[1] === 'conv' ? `conv1_conv/${stem[2]}` : `conv1_bn/${BN_FIELDS[stem[2]]}`;
  const m = /^backbone\/stage(\d)\/block(\d+)\/(conv(\d)|shortcut)\/(conv|bn)\/(\w+)$/.exec(name);
  if (!m) return undefined;
  const layer = `conv${Number(m[1]) + 1}_block${Number(m[2]) + 1}_${m[4] ?? '0'}`;
  return m[5] === 'conv' ? `${layer}_conv/${m[6]}` : `${layer}_bn/${BN_FIELDS[m[6]]}`;
}

/** Source names without a model-name prefix ('resnet50/conv1_conv/kernel' → 'conv1_conv/kernel'). */
function indexSource(tensors: tf.NamedTensorMap, wanted: Set<string>): Map<string, string> {
  const byName = new Map<string, string>();
  for (const full of Object.keys(tensors)) {
    const parts = full.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      const tail = parts.slice(i).join('/');
      if (wanted.has(tail)) {
        byName.set(tail, full);
        break;
      }
    }
  }
  return byName;
}

function failOnProblems(source: string, r: PretrainedReport): void {
  const problems = [
    r.missing.length ? `${r.missing.length} missing (${r.missing.slice(0, 3).join(', ')}…)` : '',
    r.unused.length ? `${r.unused.length} unused (${r.unused.slice(0, 3).join(', ')}…)` : '',
    r.shapeMismatched.length ? `${r.shapeMismatched.length} shape-mismatched (${r.shapeMismatched.slice(0, 2).map((m) => `${m.source} [${m.got}] for [${m.expected}]`).join(', ')})` : '',
  ].filter(Boolean);
  if (problems.length) throw new PretrainedWeightsError(source, `backbone weights do not fit: ${problems.join('; ')}`);
}

/**
 * Copies the matching weights of `tensors` into `backbone` (in place) and reports what did not match.
 * `tensors` stay the caller's (not disposed); `source` names them in errors (e.g. `dir/model.json`).
 */
export function assignPretrainedBackbone(backbone: Backbone, tensors: tf.NamedTensorMap, source: string, opts: PretrainedOptions = {}): PretrainedReport {
  const mapName = opts.mapName ?? kerasResNetName;
  const params = backbone.store.all().filter((p) => p.name.startsWith('backbone/'));
  const sourceOf = new Map(params.map((p) => [p.name, mapName(p.name)]));
  const biasOf = (kernelSource: string) => kernelSource.replace(/\/kernel$/, '/bias');
  const wanted = new Set([...sourceOf.values()].filter((s): s is string => !!s));
  for (const s of [...wanted]) if (s.endsWith('/kernel')) wanted.add(biasOf(s));
  const index = indexSource(tensors, wanted);
  const report: PretrainedReport = { loaded: [], missing: [], unused: [], shapeMismatched: [], foldedBiases: [] };
  const used = new Set<string>();
  for (const p of params) {
    const src = sourceOf.get(p.name);
    const full = src ? index.get(src) : undefined;
    if (!src || !full) {
      report.missing.push(p.name);
      continue;
    }
    const t = tensors[full];
    if (!tf.util.arraysEqual(t.shape, p.variable.shape)) {
      report.shapeMismatched.push({ name: p.name, source: full, expected: p.variable.shape, got: t.shape });
      used.add(full);
      continue;
    }
    p.variable.assign(t);
    report.loaded.push(p.name);
    used.add(full);
  }
  foldConvBiases(backbone, sourceOf, index, tensors, used, report);
  report.unused = Object.keys(tensors).filter((n) => !used.has(n));
  if (opts.strict) failOnProblems(source, report);
  return report;
}

/** BN(conv + b) = BN'(conv) with running mean − b: Keras ResNet convs carry biases, ours do not. */
function foldConvBiases(
  backbone: Backbone,
  sourceOf: Map<string, string | undefined>,
  index: Map<string, string>,
  tensors: tf.NamedTensorMap,
  used: Set<string>,
  report: PretrainedReport,
): void {
  for (const name of report.loaded.filter((n) => n.endsWith('/conv/kernel'))) {
    const full = index.get((sourceOf.get(name) as string).replace(/\/kernel$/, '/bias'));
    const mean = backbone.store.get(name.replace(/\/conv\/kernel$/, '/bn/mean'));
    if (!full || !mean) continue;
    const bias = tensors[full];
    used.add(full);
    if (!tf.util.arraysEqual(bias.shape, mean.variable.shape)) {
      report.shapeMismatched.push({ name: mean.name, source: full, expected: mean.variable.shape, got: bias.shape });
      continue;
    }
    tf.tidy(() => mean.variable.assign(tf.sub(mean.variable, bias)));
    report.foldedBiases.push(full);
  }
}
