import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { makeIcons } from '../../../manifest/makeIcons';
import { crc32, decodePng, encodePng } from '../../../manifest/png';

const MANIFEST_DIR = join(__dirname, '..', '..', '..', 'manifest');

/** Width and height read straight from the IHDR bytes, independent of our decoder. */
function headerSize(png: Buffer): { width: number; height: number; depth: number; colourType: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), depth: png[24], colourType: png[25] };
}

describe('manifest icons', () => {
  const color = readFileSync(join(MANIFEST_DIR, 'color.png'));
  const outline = readFileSync(join(MANIFEST_DIR, 'outline.png'));

  it('color.png is a PNG of exactly 192×192, fully opaque, in more than one colour', () => {
    assert.deepEqual(headerSize(color), { width: 192, height: 192, depth: 8, colourType: 6 });
    const image = decodePng(color);
    const colours = new Set<number>();
    for (let i = 0; i < image.width * image.height; i++) {
      assert.equal(image.data[i * 4 + 3], 255, `pixel ${i} is not opaque`);
      colours.add((image.data[i * 4] << 16) | (image.data[i * 4 + 1] << 8) | image.data[i * 4 + 2]);
    }
    assert.ok(colours.size > 2, `only ${colours.size} colours`);
  });

  it('outline.png is a PNG of exactly 32×32 whose pixels are only white or transparent', () => {
    assert.deepEqual(headerSize(outline), { width: 32, height: 32, depth: 8, colourType: 6 });
    const image = decodePng(outline);
    let white = 0;
    let transparent = 0;
    for (let i = 0; i < 32 * 32; i++) {
      const [r, g, b, a] = image.data.subarray(i * 4, i * 4 + 4);
      if (a === 0) {
        transparent++;
      } else {
        assert.deepEqual([r, g, b, a], [255, 255, 255, 255], `pixel (${i % 32}, ${Math.floor(i / 32)})`);
        white++;
      }
    }
    assert.ok(white > 100, `only ${white} white pixels: the shape is missing`);
    assert.ok(transparent > 300, `only ${transparent} transparent pixels: the background is not transparent`);
    for (const corner of [0, 31, 32 * 31, 32 * 32 - 1]) {
      assert.equal(image.data[corner * 4 + 3], 0, `corner pixel ${corner} is not transparent`);
    }
  });

  it('the committed icons are exactly what makeIcons draws', () => {
    const drawn = makeIcons();
    assert.ok(drawn['color.png'].equals(color), 'color.png differs: run npx tsx manifest/makeIcons.ts');
    assert.ok(drawn['outline.png'].equals(outline), 'outline.png differs: run npx tsx manifest/makeIcons.ts');
  });
});

describe('manifest/png', () => {
  it('crc32 matches the standard check value', () => {
    assert.equal(crc32(Buffer.from('123456789', 'ascii')), 0xcbf43926);
  });

  it('round-trips an RGBA image', () => {
    const data = new Uint8Array(5 * 3 * 4).map((_v, i) => (i * 37) & 0xff);
    const back = decodePng(encodePng({ width: 5, height: 3, data }));
    assert.equal(back.width, 5);
    assert.equal(back.height, 3);
    assert.deepEqual([...back.data], [...data]);
  });

  it('undoes every PNG row filter (as other encoders write them)', () => {
    // 2×5 RGB image, one row per filter type 0..4, each row's filtered bytes chosen by hand.
    const rows = [
      [0, 10, 20, 30, 40, 50, 60],
      [1, 10, 20, 30, 5, 5, 5],
      [2, 1, 1, 1, 1, 1, 1],
      [3, 7, 7, 7, 0, 0, 0],
      [4, 5, 5, 5, 0, 0, 0]
    ];
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(2, 0);
    ihdr.writeUInt32BE(5, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const chunk = (type: string, body: Buffer): Buffer => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length, 0);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), body])), 0);
      return Buffer.concat([len, Buffer.from(type, 'ascii'), body, crc]);
    };
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from(rows.flat()))),
      chunk('IEND', Buffer.alloc(0))
    ]);
    const rgb = (image: { data: Uint8Array }): number[][] =>
      Array.from({ length: 5 }, (_v, y) => [0, 1, 2, 4, 5, 6].map((k) => image.data[y * 8 + k]));
    assert.deepEqual(rgb(decodePng(png)), [
      [10, 20, 30, 40, 50, 60], // none
      [10, 20, 30, 15, 25, 35], // sub: left + raw
      [11, 21, 31, 16, 26, 36], // up: above + raw
      [12, 17, 22, 14, 21, 29], // average: floor((left + above) / 2) + raw
      [17, 22, 27, 17, 22, 29] // paeth: x=0 predicts above; x=1 picks left, left, above
    ]);
  });

  it('refuses a file whose CRC does not match', () => {
    const png = Buffer.from(encodePng({ width: 1, height: 1, data: new Uint8Array([1, 2, 3, 4]) }));
    png[20] ^= 0xff; // inside IHDR
    assert.throws(() => decodePng(png), /CRC mismatch in chunk IHDR/);
  });

  it('refuses what is not a PNG', () => {
    assert.throws(() => decodePng(Buffer.from('GIF89a....')), /not a PNG/);
  });
});
