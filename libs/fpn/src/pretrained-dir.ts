/**
 * Pretrained backbone weights from a tfjs weights directory on disk (Node only: reads files through
 * @retina/engine/node's loader, which checks every shard against the manifest).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadTensors } from '@retina/engine/node';
import { assignPretrainedBackbone, type PretrainedOptions, type PretrainedReport } from './pretrained';
import type { Backbone } from './resnet';

/** Loads the matching weights of the directory `dir` into `backbone` (in place); see assignPretrainedBackbone. */
export async function loadPretrainedBackbone(backbone: Backbone, dir: string, opts: PretrainedOptions = {}): Promise<PretrainedReport> {
  const { tensors } = await loadTensors(dir);
  try {
    return assignPretrainedBackbone(backbone, tensors, `${dir}/model.json`, opts);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
