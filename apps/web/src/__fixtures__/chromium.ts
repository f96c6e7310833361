/** Finding and starting the Chromium of the machine (Debian's `chromium`) for the page checks; nothing is downloaded. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Set to 1 to skip the browser checks (the only way they are skipped; CI runs them). */
export const SKIP_VARIABLE = 'RETINA_SKIP_BROWSER';
/** A Chromium or Chrome executable to use instead of the one on PATH. */
export const CHROMIUM_VARIABLE = 'RETINA_CHROMIUM';
const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/**
 * WebGL2 in software (SwiftShader through ANGLE) where there is no GPU, and WebGPU where Chromium
 * offers it; no sandbox, since CI runs as root.
 */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--disable-dev-shm-usage'];

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The browser's path, or an error saying how to get one (or skip). */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[CHROMIUM_VARIABLE];
  if (given) {
    if (executable(given)) return given;
    throw new Error(`${CHROMIUM_VARIABLE}=${given} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of NAMES) if (executable(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `Chromium not found on PATH (looked for ${NAMES.join(', ')}): install it (apt-get install -y chromium), ` +
      `or set ${CHROMIUM_VARIABLE}=/path/to/chrome; ${SKIP_VARIABLE}=1 skips the browser checks`,
  );
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, protocolTimeout: 240_000 });
}
