import { UserError } from '@retina/errors';

/**
 * Turns `--categories` values (ids or names) into category ids of `known`.
 * @throws UserError naming the value that `where` does not know
 */
export function resolveCategoryIds(values: readonly (string | number)[], known: readonly { id: number; name?: string }[], where: string): number[] {
  return values.map((v) => {
    const s = String(v);
    const byId = /^-?\d+$/.test(s) ? known.find((c) => c.id === Number(s)) : undefined;
    const hit = byId ?? known.find((c) => c.name === s);
    if (!hit) {
      const names = known.slice(0, 8).map((c) => `${c.id}:${c.name ?? '?'}`).join(', ');
      throw new UserError(`--categories: '${s}' is not a category of ${where} (known: ${names}${known.length > 8 ? ', …' : ''})`);
    }
    return hit.id;
  });
}
