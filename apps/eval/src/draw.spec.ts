import sharp from 'sharp';
import { BOX_COLORS, drawBoxesPng, edgeRects, lineWidth } from './draw';

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe('draw', () => {
  it('puts the edges inside the box pixels round(x1) … round(x2) − 1, clamped to the image', () => {
    const size = { width: 20, height: 10 };
    expect(edgeRects([2.4, 1.6, 7.5, 6], size, 1)).toEqual([
      { x: 2, y: 2, width: 6, height: 1 },
      { x: 2, y: 5, width: 6, height: 1 },
      { x: 2, y: 2, width: 1, height: 4 },
      { x: 7, y: 2, width: 1, height: 4 },
    ]);
    // Outside the image and degenerate: still one visible pixel inside it.
    expect(edgeRects([25, -3, 30, -1], size, 2)[0]).toEqual({ x: 19, y: 0, width: 1, height: 1 });
  });

  it('makes edges thicker on larger images (1 px per 160 px of the shorter side)', () => {
    expect([lineWidth({ width: 64, height: 48 }), lineWidth({ width: 640, height: 480 }), lineWidth({ width: 1920, height: 1080 })]).toEqual([1, 3, 7]);
  });

  it('draws captions with XML special characters, and a box of class 11 in the second colour', async () => {
    const image = { width: 48, height: 40, data: new Uint8Array(48 * 40 * 3).fill(200) };
    const png = await drawBoxesPng(image, [{ box: [4, 20, 30, 38], colorIndex: 11, caption: `a & <b> "c" 'd' 0.50` }]);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([48, 40, 3]);
    const at = (x: number, y: number) => [...data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3)];
    expect(at(4, 30)).toEqual(rgb(BOX_COLORS[1])); // left edge, below the label
    expect(at(29, 37)).toEqual(rgb(BOX_COLORS[1])); // bottom-right corner
    expect(at(15, 30)).toEqual([200, 200, 200]); // inside the box
    expect(at(40, 5)).toEqual([200, 200, 200]); // far from box and label
  });
});
