import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { decodeImage, readImageFile } from './decode';
import { ImageDecodeError } from '../errors';
import { colorBounds, RACCOON, rectImage, tempDir, writeImage, type Rgb } from '../__fixtures__/helpers';

describe('decodeImage', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const W = 24;
  const H = 16;
  const raw = rectImage(W, H, [20, 40, 60], [{ box: [3, 2, 11, 9], color: [250, 10, 10] }]);

  it.each(['png', 'webp'] as const)('decodes lossless %s exactly as RGB HWC', async (format) => {
    const path = await writeImage(join(tmp.dir, `x.${format}`), raw, W, H, { format });
    const img = await decodeImage(path);
    expect([img.width, img.height, img.data.length]).toEqual([W, H, W * H * 3]);
    expect(Buffer.from(img.data).equals(raw)).toBe(true);
    expect(img.warnings).toEqual([]);
  });

  it('decodes JPEG close to the original pixels', async () => {
    const path = await writeImage(join(tmp.dir, 'x.jpg'), raw, W, H, { format: 'jpeg' });
    const img = await decodeImage(path);
    const maxDiff = img.data.reduce((m, v, i) => Math.max(m, Math.abs(v - raw[i])), 0);
    expect(maxDiff).toBeLessThan(40);
  });

  it('decodes a real photo to its annotated size', async () => {
    const img = await decodeImage(join(RACCOON, 'images', 'raccoon-1.jpg'));
    expect([img.width, img.height, img.data.length]).toEqual([384, 246, 384 * 246 * 3]);
  });

  it('resizes to exactly the requested size', async () => {
    const img = await decodeImage(join(RACCOON, 'images', 'raccoon-1.jpg'), { resize: { width: 100, height: 37 } });
    expect([img.width, img.height, img.data.length]).toEqual([100, 37, 100 * 37 * 3]);
  });

  it('expands grayscale to three equal channels', async () => {
    const gray = Buffer.from(Array.from({ length: W * H }, (_, i) => (i * 7) % 256));
    const path = join(tmp.dir, 'gray.png');
    await sharp(gray, { raw: { width: W, height: H, channels: 1 } }).png().toFile(path);
    const img = await decodeImage(path);
    for (let p = 0; p < W * H; p++) expect([img.data[3 * p], img.data[3 * p + 1], img.data[3 * p + 2]]).toEqual([gray[p], gray[p], gray[p]]);
  });

  it('drops alpha, keeping the colour of transparent pixels (as PIL convert("RGB"))', async () => {
    const rgba = Buffer.alloc(W * H * 4);
    for (let p = 0; p < W * H; p++) rgba.set([200, 100, 50, p % 2 ? 0 : 255], 4 * p);
    const path = join(tmp.dir, 'rgba.png');
    await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toFile(path);
    const img = await decodeImage(path);
    expect(img.data.length).toBe(W * H * 3);
    expect([...img.data.subarray(0, 6)]).toEqual([200, 100, 50, 200, 100, 50]);
  });

  it('reduces 16-bit PNG to 8 bits (value / 257, ±1)', async () => {
    const values = Uint16Array.from({ length: W * H * 3 }, (_, i) => (i * 997) % 65536);
    const png = new PNG({ width: W, height: H, bitDepth: 16, colorType: 2, inputColorType: 2, inputHasAlpha: false });
    png.data = Buffer.from(values.buffer); // pngjs reads 16-bit samples in platform order
    const path = join(tmp.dir, 'x16.png');
    writeFileSync(path, PNG.sync.write(png, { bitDepth: 16, colorType: 2, inputColorType: 2, inputHasAlpha: false }));
    expect((await sharp(path).metadata()).depth).toBe('ushort');
    const img = await decodeImage(path);
    values.forEach((v, i) => expect(Math.abs(img.data[i] - v / 257)).toBeLessThanOrEqual(1));
  });

  it('decodes a truncated JPEG with a warning naming the file', async () => {
    const bytes = readFileSync(join(RACCOON, 'images', 'raccoon-1.jpg'));
    const path = join(tmp.dir, 'truncated.jpg');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const img = await decodeImage(path);
    expect([img.width, img.height]).toEqual([384, 246]);
    expect(img.warnings).toHaveLength(1);
    expect(img.warnings[0]).toBe(`${path}: damaged image data, decoded anyway (truncated JPEG: the data ends before its end-of-image marker)`);
  });

  it('gives the same truncation reason for many truncated JPEGs decoded at once (libvips loses its messages under concurrency)', async () => {
    const bytes = readFileSync(join(RACCOON, 'images', 'raccoon-1.jpg'));
    const paths = Array.from({ length: 12 }, (_, i) => {
      const path = join(tmp.dir, `cut-${i}.jpg`);
      writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * (0.3 + 0.05 * i))));
      return path;
    });
    const images = await Promise.all(paths.map((p) => decodeImage(p)));
    images.forEach((img, i) => expect(img.warnings).toEqual([`${paths[i]}: damaged image data, decoded anyway (truncated JPEG: the data ends before its end-of-image marker)`]));
  });

  it.each<[string, Buffer | string, RegExp]>([
    ['garbage.jpg', 'this is not an image', /garbage\.jpg: cannot decode image: .*unsupported image format/],
    ['empty.png', '', /empty\.png: cannot decode image: /],
    ['shape.png', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="file:///etc/passwd"/></svg>', /shape\.png: unsupported image format svg \(expected jpeg, png, webp\)$/],
  ])('refuses %s with an ImageDecodeError naming the file', async (name, content, message) => {
    const path = join(tmp.dir, name);
    writeFileSync(path, content);
    const err = await decodeImage(path).catch((e) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toMatch(message);
    expect(err.exitCode).toBe(2);
  });

  it('refuses images above the pixel limit before decoding them', async () => {
    const path = await writeImage(join(tmp.dir, 'big.png'), rectImage(100, 60, [0, 0, 0], []), 100, 60);
    await expect(readImageFile(path, 5000)).rejects.toThrow(/big\.png: 100x60 = 6000 pixels is above the limit of 5000 \(maxPixels\)/);
    await expect(decodeImage(path, { maxPixels: 5000 })).rejects.toThrow(ImageDecodeError);
  });

  it('names a missing file', async () => {
    await expect(decodeImage(join(tmp.dir, 'nope.png'))).rejects.toThrow(/nope\.png: cannot read file \(ENOENT\)/);
  });
});

describe('EXIF orientation', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('reports stored and oriented sizes from the header', async () => {
    const path = await writeImage(join(tmp.dir, 'o6.jpg'), rectImage(30, 20, [0, 0, 0], []), 30, 20, { format: 'jpeg', orientation: 6 });
    const f = await readImageFile(path);
    expect(f).toMatchObject({ orientation: 6, storedWidth: 30, storedHeight: 20, width: 20, height: 30 });
  });

  it('is applied to the pixels: a red square moves as the orientation says', async () => {
    const red: Rgb = [250, 0, 0];
    const raw = rectImage(30, 20, [0, 0, 250], [{ box: [2, 3, 8, 7], color: red }]);
    // Where the red square [2, 3, 8, 7] of a 30×20 stored image is displayed, worked out by hand.
    const expected: Record<number, { size: [number, number]; box: number[] }> = {
      1: { size: [30, 20], box: [2, 3, 8, 7] },
      2: { size: [30, 20], box: [22, 3, 28, 7] }, // mirrored: x → 30 − x
      3: { size: [30, 20], box: [22, 13, 28, 17] }, // 180°: x → 30 − x, y → 20 − y
      4: { size: [30, 20], box: [2, 13, 8, 17] }, // flipped vertically: y → 20 − y
      5: { size: [20, 30], box: [3, 2, 7, 8] }, // transposed: (x, y) → (y, x)
      6: { size: [20, 30], box: [13, 2, 17, 8] }, // 90° clockwise: (x, y) → (20 − y, x)
      7: { size: [20, 30], box: [13, 22, 17, 28] }, // transversed: (x, y) → (20 − y, 30 − x)
      8: { size: [20, 30], box: [3, 22, 7, 28] }, // 90° counter-clockwise: (x, y) → (y, 30 − x)
    };
    for (let o = 1; o <= 8; o++) {
      const path = await writeImage(join(tmp.dir, `o${o}.png`), raw, 30, 20, { orientation: o });
      const img = await decodeImage(path);
      expect([img.width, img.height]).toEqual(expected[o].size);
      expect(colorBounds(img.data, img.width, img.height, red)).toEqual(expected[o].box);
    }
  });
});
