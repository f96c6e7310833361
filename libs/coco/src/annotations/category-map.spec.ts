import { CategoryMap, CategoryMapError } from './category-map';

describe('CategoryMap', () => {
  const cats = [
    { id: 90, name: 'toothbrush' },
    { id: 1, name: 'person' },
    { id: 18, name: 'dog' },
  ];

  it('assigns contiguous indices in ascending COCO id order', () => {
    const m = CategoryMap.fromCategories(cats);
    expect(m.size).toBe(3);
    expect(m.ids).toEqual([1, 18, 90]);
    expect(m.names).toEqual(['person', 'dog', 'toothbrush']);
    expect([1, 18, 90].map((id) => m.toContiguous(id))).toEqual([0, 1, 2]);
    expect([0, 1, 2].map((i) => m.toCocoId(i))).toEqual([1, 18, 90]);
  });

  it('round-trips through JSON (as saved with a model)', () => {
    const m = CategoryMap.fromCategories(cats);
    const back = CategoryMap.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.ids).toEqual(m.ids);
    expect(back.names).toEqual(m.names);
  });

  it('re-indexes a subset contiguously', () => {
    const sub = CategoryMap.fromCategories(cats).subset([90, 1]);
    expect(sub.ids).toEqual([1, 90]);
    expect(sub.toContiguous(90)).toBe(1);
  });

  it('fails loudly on unknown ids, bad indices, duplicates and bad JSON', () => {
    const m = CategoryMap.fromCategories(cats);
    expect(() => m.toContiguous(2)).toThrow(/unknown COCO category id 2 \(known: \[1,18,90\]\)/);
    expect(() => m.toCocoId(3)).toThrow(/class index 3 is outside 0..2/);
    expect(() => m.toCocoId(-1)).toThrow(CategoryMapError);
    expect(() => CategoryMap.fromCategories([...cats, { id: 1, name: 'again' }])).toThrow(/duplicate category id/);
    expect(() => CategoryMap.fromJSON({ categories: [{ id: '1', name: 'x' }] })).toThrow(/categories\[0\] must be \{ id: integer, name: string \}/);
    expect(() => CategoryMap.fromJSON([1, 2])).toThrow(/expected \{ categories: \[...\] \}/);
  });
});
