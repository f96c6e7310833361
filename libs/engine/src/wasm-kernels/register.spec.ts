/** registerWasmTrainingKernels: registers our kernels for 'wasm' once, reports their names, is idempotent. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers the gradients of every op
import { registerWasmTrainingKernels } from '../training-kernels';

describe('registerWasmTrainingKernels', () => {
  it('registers Conv2DBackpropFilter (missing from tfjs-backend-wasm) and the replacements, then nothing on a second call', async () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const builtIn = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
    const added = registerWasmTrainingKernels();
    expect(added).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']);
    for (const name of added) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).not.toBe(builtIn);
    expect(registerWasmTrainingKernels()).toEqual([]);
    await tf.setBackend('wasm');
    const dw = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([2, 2, 1, 1])));
    // d/dw of the sum of a valid 2×2 conv over a 3×3 field of ones: each tap sees 4 output pixels
    expect(Array.from(dw.dataSync())).toEqual([4, 4, 4, 4]);
    dw.dispose();
  });
});
