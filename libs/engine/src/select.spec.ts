import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EngineOptionError, EngineUnavailableError, gpuDeviceVisible, selectEngine, type ModuleLoader } from './node';

type Fake = 'missing' | 'throws' | (() => unknown);

/** A loader where the named packages are missing, broken or faked; the rest load for real. */
function loader(fakes: Record<string, Fake>): ModuleLoader {
  return async (name) => {
    const fake = fakes[name];
    if (fake === 'missing') {
      const e = new Error(`Cannot find module '${name}'\nRequire stack: ...`) as NodeJS.ErrnoException;
      e.code = 'MODULE_NOT_FOUND';
      throw e;
    }
    if (fake === 'throws') throw new Error(`libcudart.so.11.0: cannot open shared object file\nmore detail`);
    if (fake) return fake();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name);
  };
}

const NO_NATIVE = { '@tensorflow/tfjs-node-gpu': 'missing', '@tensorflow/tfjs-node': 'missing', webgpu: 'missing' } as const;

describe('selectEngine: auto order', () => {
  it('falls through to wasm, says why each better engine did not load, and adds the wasm training kernels', async () => {
    const lines: string[] = [];
    const r = await selectEngine({
      load: loader({ '@tensorflow/tfjs-node-gpu': 'throws', '@tensorflow/tfjs-node': 'missing', webgpu: 'missing' }),
      log: (l) => lines.push(l),
      gpuVisible: () => true,
    });
    expect(r.engine).toBe('wasm');
    expect(r.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.skipped).toEqual([
      { engine: 'tensorflow-gpu', reason: 'failed to load: libcudart.so.11.0: cannot open shared object file' },
      { engine: 'tensorflow', reason: 'not installed (npm i @tensorflow/tfjs-node)' },
      { engine: 'webgpu', reason: 'not installed (npm i webgpu)' },
    ]);
    expect(r.describe()).toBe(
      'engine: wasm (SIMD, 1 thread) — tensorflow-gpu: failed to load: libcudart.so.11.0: cannot open shared object file; ' +
        'tensorflow: not installed (npm i @tensorflow/tfjs-node); webgpu: not installed (npm i webgpu)',
    );
    expect(lines).toContain('tensorflow: not installed (npm i @tensorflow/tfjs-node)');
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter: training needs ours
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    for (const name of r.kernelsAdded) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('picks a native engine, after undoing what a native package that failed midway registered', async () => {
    const kernel = (kernelFunc: () => never) => ({ kernelName: 'Relu', backendName: 'tensorflow', kernelFunc });
    const gpuRelu = (): never => {
      throw new Error('gpu');
    };
    const nodeRelu = (): never => {
      throw new Error('node');
    };
    const fakeGpu = () => {
      tf.registerKernel(kernel(gpuRelu)); // tfjs-node-gpu registers its kernels, then fails to load libcuda
      throw new Error('libcuda.so.1: cannot open shared object file');
    };
    const fakeNode = () => {
      tf.registerKernel(kernel(nodeRelu));
      tf.registerBackend('tensorflow', () => new MathBackendCPU(), 0);
    };
    const r = await selectEngine({ load: loader({ '@tensorflow/tfjs-node-gpu': fakeGpu, '@tensorflow/tfjs-node': fakeNode }), threads: 3 });
    expect(r.engine).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(tf.getKernel('Relu', 'tensorflow')?.kernelFunc).toBe(nodeRelu);
    expect(r.describe()).toBe('engine: tensorflow (libtensorflow CPU, 3 threads) — tensorflow-gpu: failed to load: libcuda.so.1: cannot open shared object file');
    expect([process.env.TF_NUM_INTRAOP_THREADS, process.env.TF_NUM_INTEROP_THREADS]).toEqual(['3', '3']);
    tf.removeBackend('tensorflow');
    tf.unregisterKernel('Relu', 'tensorflow');
    delete process.env.TF_NUM_INTRAOP_THREADS;
    delete process.env.TF_NUM_INTEROP_THREADS;
  });

  it('names a native package that registered no backend into this tfjs-core', async () => {
    await expect(selectEngine({ backend: 'tensorflow', load: loader({ '@tensorflow/tfjs-node': () => ({}) }) })).rejects.toThrow(
      /^engine 'tensorflow' is not available: failed to load: no 'tensorflow' backend was registered with this @tensorflow\/tfjs-core 4\.22\.0/,
    );
  });
  it("reports the backend factory's own error where tfjs's setBackend would only return false", async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const broken = () =>
      tf.registerBackend('tensorflow', () => {
        throw new Error('TF_NewSession: out of memory\ndetails');
      });
    await expect(selectEngine({ backend: 'tensorflow', load: loader({ '@tensorflow/tfjs-node': broken }) })).rejects.toThrow(
      /^engine 'tensorflow' is not available: failed to load: TF_NewSession: out of memory$/,
    );
    expect(tf.findBackendFactory('tensorflow')).toBeNull();
    warn.mockRestore();
  });
});

describe('selectEngine: a requested engine', () => {
  it('starts cpu and wasm when asked, skipping nothing', async () => {
    const cpu = await selectEngine({ backend: 'cpu' });
    expect([cpu.engine, tf.getBackend(), cpu.skipped]).toEqual(['cpu', 'cpu', []]);
    expect(cpu.describe()).toBe('engine: cpu (plain JavaScript, 1 thread)');
    const wasm = await selectEngine({ backend: 'wasm', threads: 4 });
    expect(wasm.describe()).toBe('engine: wasm (SIMD, 1 thread (4 asked; tfjs wasm has no threads in Node))');
  });

  it('fails loudly with the reason, never falling back', async () => {
    await selectEngine({ backend: 'cpu' });
    await expect(selectEngine({ backend: 'tensorflow', load: loader(NO_NATIVE) })).rejects.toThrow(
      /^engine 'tensorflow' is not available: not installed \(npm i @tensorflow\/tfjs-node\)$/,
    );
    await expect(selectEngine({ backend: 'tensorflow-gpu', load: loader({ '@tensorflow/tfjs-node-gpu': 'throws' }) })).rejects.toThrow(
      /^engine 'tensorflow-gpu' is not available: failed to load: libcudart\.so\.11\.0: cannot open shared object file$/,
    );
    await expect(selectEngine({ backend: 'bogus' as never })).rejects.toThrow(EngineUnavailableError);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects a bad thread count', async () => {
    await expect(selectEngine({ threads: 0 })).rejects.toThrow(EngineOptionError);
    await expect(selectEngine({ threads: 1.5 })).rejects.toThrow(/threads must be an integer ≥ 1 \(got 1\.5\)/);
  });
});

describe('selectEngine: webgpu', () => {
  const dawn = (requestAdapter: () => Promise<unknown>) => () => ({ create: () => ({ requestAdapter }), globals: {} });

  it('reports a missing adapter (no Vulkan driver) as a failure', async () => {
    const load = loader({ webgpu: dawn(async () => null) });
    await expect(selectEngine({ backend: 'webgpu', load })).rejects.toThrow(/^engine 'webgpu' is not available: failed to load: no WebGPU adapter/);
  });

  it('gives up on an adapter request that never answers instead of hanging', async () => {
    const load = loader({ ...NO_NATIVE, webgpu: dawn(() => new Promise(() => undefined)) });
    const t0 = Date.now();
    const r = await selectEngine({ load, webgpuTimeoutMs: 50, gpuVisible: () => true });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.skipped[2]).toEqual({ engine: 'webgpu', reason: 'failed to load: no WebGPU adapter within 50 ms' });
  });

  it('auto does not load Dawn where no GPU device exists (its Vulkan probe prints to stderr), and says so', async () => {
    const asked: string[] = [];
    const base = loader(NO_NATIVE);
    const load: ModuleLoader = (name) => {
      asked.push(name);
      return base(name);
    };
    const r = await selectEngine({ load, gpuVisible: () => false });
    expect(r.engine).toBe('wasm');
    expect(asked).not.toContain('webgpu');
    expect(r.skipped[2]).toEqual({ engine: 'webgpu', reason: 'no GPU device on this machine (no /dev/dri/renderD*, no /dev/nvidia*; --backend webgpu tries anyway)' });
  });

  it('a retina CLI on this machine prints nothing on stderr while picking its engine when no GPU device exists', () => {
    if (gpuDeviceVisible()) return; // a GPU machine: Dawn may legitimately be probed
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('./libs/engine/src/node.ts').selectEngine().then((e) => console.log(e.engine))"], { cwd: join(__dirname, '../../..'), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('wasm');
    expect(r.stderr).toBe('');
  });

  it('names the tfjs WebGPU backend package when only that one is missing', async () => {
    const load = loader({ webgpu: dawn(async () => ({})), '@tensorflow/tfjs-backend-webgpu': 'missing' });
    await expect(selectEngine({ backend: 'webgpu', load })).rejects.toThrow(/not installed \(npm i @tensorflow\/tfjs-backend-webgpu\)$/);
  });
});

describe('the same model on cpu and wasm', () => {
  /** conv2d + relu + matMul with fixed weights: a tiny model whose output must not depend on the engine. */
  function model(): Float32Array {
    return tf.tidy(() => {
      const x = tf.tensor4d(Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.sin(i)), [2, 8, 8, 3]);
      const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i) * 0.3), [3, 3, 3, 4]);
      const h = tf.relu(tf.conv2d(x, w, 2, 'same'));
      const m = tf.tensor2d(Array.from({ length: 4 * 5 }, (_, i) => (i % 7) / 7 - 0.5), [4, 5]);
      return tf.matMul(tf.reshape(h, [-1, 4]), m).dataSync() as Float32Array;
    });
  }

  it('gives outputs equal to 1e-5', async () => {
    await selectEngine({ backend: 'cpu' });
    const cpu = model();
    await selectEngine({ backend: 'wasm' });
    const wasm = model();
    expect(wasm.length).toBe(2 * 4 * 4 * 5);
    expect(cpu.some((v) => v > 0.1)).toBe(true);
    cpu.forEach((v, i) => expect(Math.abs(wasm[i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
  });
});
