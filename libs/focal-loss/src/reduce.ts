/** Reductions shared by the losses. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The sum of all elements, with the gradient dy · ones. (tf.sum's own gradient multiplies a [1, …, 1]
 * dy into ones of the input's shape, which the cpu engine broadcasts element by element: ~5× slower
 * on [8, 100000, 80] logits. A scalar dy takes the engines' fast path.)
 */
export const sumAll = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const shape = x.shape;
  return { value: tf.sum(x) as tf.Scalar, gradFunc: (dy: tf.Scalar) => tf.mul(tf.ones(shape), dy) };
}) as (x: tf.Tensor) => tf.Scalar;
