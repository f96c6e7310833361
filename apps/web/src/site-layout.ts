/**
 * Where the page finds its files, relative to index.html: written by build.ts, read by the page.
 * No imports: both the Node build and the browser bundle use it.
 */

/** tfjs-backend-wasm's .wasm files. */
export const WASM_DIR = 'tfjs-wasm/';
/** The exported model (`retina-eval export --out <site>/model`). */
export const MODEL_DIR = 'model';
export const MODEL_URL = `${MODEL_DIR}/model.json`;
/** The sample images and their list ([{ name, url }], urls relative to the list). */
export const SAMPLES_DIR = 'samples';
export const SAMPLES_URL = `${SAMPLES_DIR}/samples.json`;
