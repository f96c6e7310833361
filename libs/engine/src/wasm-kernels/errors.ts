/** A wasm training kernel was called with inputs it does not handle (e.g. NCHW data). */
export class WasmKernelInputError extends Error {
  constructor(kernel: string, detail: string) {
    super(`${kernel} (wasm training kernel): ${detail}`);
    this.name = 'WasmKernelInputError';
  }
}
