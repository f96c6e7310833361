/** Writing COCO documents: one record per line, so files stay small and diff well. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CocoDocument } from '@retina/coco';

export async function writeCocoJson(path: string, doc: CocoDocument): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, formatCocoJson(doc));
}

export function formatCocoJson(doc: CocoDocument): string {
  const parts = Object.entries(doc).map(([key, value]) => {
    const body = Array.isArray(value)
      ? value.length === 0
        ? '[]'
        : `[\n${value.map((v) => `    ${JSON.stringify(v)}`).join(',\n')}\n  ]`
      : JSON.stringify(value);
    return `  ${JSON.stringify(key)}: ${body}`;
  });
  return `{\n${parts.join(',\n')}\n}\n`;
}

/** Rounds to `digits` decimals (keeps annotation files free of float noise such as 0.30000000000000004). */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
