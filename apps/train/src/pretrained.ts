/**
 * `--pretrained DIR`: the backbone weights of a Keras applications ResNet (`tf.keras.applications.ResNet50`
 * saved and converted with `tensorflowjs_converter --input_format keras`), loaded into a new detector's
 * resnet backbone by @retina/fpn's `loadPretrainedBackbone` (Keras layer names, conv biases folded into
 * the batch norms). Keras trained those weights on BGR images minus the ImageNet mean, unscaled
 * ('caffe' preprocessing); the detector reads RGB, so the stem's input channels are reversed and the
 * model normalises with that mean and std 1 (saved with the model, so retina-eval does the same).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadPretrainedBackbone, PretrainedWeightsError, type PretrainedReport } from '@retina/fpn/node';
import type { NormalizationConfig, RetinaNet } from '@retina/retinanet';

/** Keras ResNet's 'caffe' preprocessing in RGB order: x − (123.68, 116.779, 103.939), no scaling. */
export const KERAS_RESNET_NORMALIZATION: Required<NormalizationConfig> = { mean: [123.68, 116.779, 103.939], std: [1, 1, 1] };

/** The stem conv, whose kernel [7, 7, 3, C] reads the input's colour channels. */
const STEM_KERNEL = 'backbone/stem/conv/kernel';

/** How many names a line lists before "…". */
const LISTED = 3;

const list = (names: readonly string[]): string => names.slice(0, LISTED).join(', ') + (names.length > LISTED ? ', …' : '');

/**
 * Loads the backbone weights of `dir` into `net` (in place) and returns the one line that reports it.
 * @throws PretrainedWeightsError naming the file and the tensor when a weight has the wrong shape, or
 *   when no weight matches at all (not a Keras ResNet); ModelFormatError (@retina/engine) when the
 *   directory, model.json or a shard is missing or unreadable
 */
export async function loadPretrainedWeights(net: RetinaNet, dir: string): Promise<string> {
  const file = join(dir, 'model.json');
  const report = await loadPretrainedBackbone(net.backbone, dir);
  const wrong = report.shapeMismatched;
  if (wrong.length > 0) {
    const m = wrong[0];
    throw new PretrainedWeightsError(
      file,
      `weight '${m.source}' has shape [${m.got}], backbone parameter '${m.name}' needs [${m.expected}]` +
        (wrong.length > 1 ? ` (and ${wrong.length - 1} more mismatched); is it the --backbone the weights were trained for?` : '; is it the --backbone the weights were trained for?'),
    );
  }
  if (report.loaded.length === 0) {
    throw new PretrainedWeightsError(file, `no weight fits a backbone parameter (expected Keras ResNet layer names such as conv1_conv/kernel; found ${list(report.unused)})`);
  }
  if (report.loaded.includes(STEM_KERNEL)) {
    const stem = net.store.get(STEM_KERNEL)!.variable;
    tf.tidy(() => stem.assign(tf.reverse(stem, 2)));
  }
  return describe(dir, report);
}

function describe(dir: string, r: PretrainedReport): string {
  const total = r.loaded.length + r.missing.length;
  return (
    `pretrained: ${r.loaded.length} of ${total} backbone tensors loaded from ${dir}` +
    ` (${r.foldedBiases.length} conv biases folded into batch norm; stem read as RGB)` +
    `, ${r.missing.length} missing${r.missing.length ? ` (kept at their initial values: ${list(r.missing)})` : ''}` +
    `, ${r.unused.length} unused${r.unused.length ? ` (${list(r.unused)})` : ''}`
  );
}
