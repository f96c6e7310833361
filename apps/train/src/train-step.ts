/** One optimizer step of the trainer: loss and gradients of a batch (here or on the replicas), then the update. */
import * as tf from '@tensorflow/tfjs-core';
import type { DataParallel } from '@retina/engine/node';
import type { Batch } from '@retina/coco';
import { splitBatch, type RetinaNet, type TrainShard } from '@retina/retinanet/node';
import type { Optimizer } from '@retina/optim';
import { NonFiniteLossError } from './errors';

/** The losses of one step (the batch's mean) and the global gradient norm before clipping. */
export interface StepLosses {
  total: number;
  cls: number;
  box: number;
  gradNorm: number;
}

/** Loss and gradients of a batch: on this thread, or split over the data-parallel replicas. */
async function batchGradients(
  net: RetinaNet,
  vars: tf.Variable[],
  parallel: DataParallel<TrainShard> | undefined,
  batch: Batch,
): Promise<{ total: number; cls: number; box: number; grads: tf.NamedTensorMap }> {
  const whole: TrainShard = { images: batch.images, batch: batch.batchSize, height: batch.height, width: batch.width, targets: batch.targets };
  if (parallel) {
    const { grads, loss, shards } = await parallel.gradients(splitBatch(whole, parallel.maxShards));
    const weight = shards.reduce((a, r) => a + r.weight, 0);
    const mean = (key: string) => shards.reduce((a, r) => a + r.weight * r.values[key], 0) / weight;
    return { total: loss, cls: mean('cls'), box: mean('box'), grads };
  }
  const x = tf.tensor4d(batch.images, [batch.batchSize, batch.height, batch.width, 3]);
  let parts: { cls: tf.Scalar; box: tf.Scalar } | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const l = net.computeLosses(x, batch.targets, { training: true });
    parts = { cls: tf.keep(l.cls), box: tf.keep(l.box) };
    return l.total;
  }, vars);
  x.dispose();
  const [total, cls, box] = await Promise.all([value.data(), parts!.cls.data(), parts!.box.data()]).then((a) => a.map((d) => d[0]));
  tf.dispose([value, parts!.cls, parts!.box]);
  return { total, cls, box, grads };
}

/**
 * Updates `vars` with the gradients of `batch` at learning rate `lr`. A non-finite loss skips the
 * update (`undefined`) when `skipNonFinite`, else throws NonFiniteLossError naming step `iteration + 1`.
 */
export async function trainStep(
  net: RetinaNet,
  vars: tf.Variable[],
  parallel: DataParallel<TrainShard> | undefined,
  optimizer: Optimizer,
  batch: Batch,
  lr: number,
  iteration: number,
  skipNonFinite: boolean,
): Promise<StepLosses | undefined> {
  const { total, cls, box, grads } = await batchGradients(net, vars, parallel, batch);
  const bad = [['total', total], ['cls', cls], ['box', box]].find(([, v]) => !Number.isFinite(v as number));
  if (bad) {
    tf.dispose(Object.values(grads));
    if (skipNonFinite) return undefined;
    throw new NonFiniteLossError(iteration + 1, bad[0] as string, bad[1] as number);
  }
  const { gradNorm } = await optimizer.apply(vars, grads, lr);
  tf.dispose(Object.values(grads));
  return { total, cls, box, gradNorm };
}
