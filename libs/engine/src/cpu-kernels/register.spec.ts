/**
 * Starting the cpu engine registers our cpu training kernels in place of tfjs-backend-cpu's own,
 * once, and reports them; conv2d then trains through them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectEngine } from '../node';
import { CPU_TRAINING_KERNELS } from './index';

describe('selectEngine({ backend: "cpu" }) and the cpu training kernels', () => {
  it('registers ours over the stock ones, says so in kernelsAdded, and nothing on a second start', async () => {
    const r = await selectEngine({ backend: 'cpu' });
    expect(r.kernelsAdded).toEqual(['Conv2DBackpropFilter', 'MaxPoolGrad', 'ResizeNearestNeighborGrad']);
    expect(CPU_TRAINING_KERNELS.map((k) => k.config.kernelName)).toEqual(r.kernelsAdded);
    for (const { config } of CPU_TRAINING_KERNELS) expect(tf.getKernel(config.kernelName, 'cpu')?.kernelFunc).toBe(config.kernelFunc);
    expect((await selectEngine({ backend: 'cpu' })).kernelsAdded).toEqual([]);
  });

  it('conv2d, maxPool and nearest-upsampling gradients run through them with the hand-computed values', async () => {
    await selectEngine({ backend: 'cpu' });
    // the registry holds our config objects themselves: a spy on ours sees only calls that reach ours
    const spies = CPU_TRAINING_KERNELS.map(({ config }) => jest.spyOn(config, 'kernelFunc'));
    tf.tidy(() => {
      // d/dw of the sum of a valid 2×2 conv over a 3×3 field of ones: each tap sees 4 output pixels
      const dw = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([2, 2, 1, 1]));
      expect(Array.from(dw.dataSync())).toEqual([4, 4, 4, 4]);
      // one 2×2 window over [1, 3; 2, 3]: the gradient goes to the first maximum only
      const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), 5)))(tf.tensor4d([1, 3, 2, 3], [1, 2, 2, 1]));
      expect(Array.from(dx.dataSync())).toEqual([0, 5, 0, 0]);
      // 2× nearest upsampling of a batch of two 1×1 images, weighted 1…8: each input gets its 4 copies
      const w = tf.reshape(tf.range(1, 9), [2, 2, 2, 1]);
      const du = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [2, 2]), w)))(tf.ones([2, 1, 1, 1]));
      expect(Array.from(du.dataSync())).toEqual([1 + 2 + 3 + 4, 5 + 6 + 7 + 8]);
    });
    spies.forEach((s) => expect(s).toHaveBeenCalledTimes(1));
    spies.forEach((s) => s.mockRestore());
  });
});
