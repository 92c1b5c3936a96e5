// The heatmap as a PNG, without any dependency: the viridis cells and the colour bar as pixels,
// no text (text needs a font rasteriser; the SVG has the labels and values). The PNG encoder is
// ~60 lines: CRC-32, Adler-32 and deflate "stored" blocks, which every decoder reads. Pass
// `deflate` (e.g. node:zlib's `deflateSync`) to compress; the default stores the pixels as they are.
import { callback, flag, integerIn, optional, options as optionsObject } from '../validate';
import { normalise, toMatrix, valueRange, type HeatmapData } from './matrix';
import { viridisRgb } from './viridis';

export interface HeatmapPngOptions {
  /** The number of columns K, for a flat row-major array. */
  numClasses?: number;
  /** Colour scale range; default the finite values' extremes. */
  min?: number;
  max?: number;
  /** The side of a cell in pixels (an integer); default what fits 720 × 720, at most 40. */
  cellSize?: number;
  /** Draw the colour bar (max at the top); default true. */
  colorBar?: boolean;
  /**
   * A zlib (RFC 1950) compressor, e.g. `(b) => zlib.deflateSync(b)` in Node. Default: the data
   * is stored uncompressed in valid zlib framing, which needs no code from outside.
   */
  deflate?: (bytes: Uint8Array) => Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** zlib framing around deflate "stored" (uncompressed) blocks of at most 65,535 bytes. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(2 + data.length + 5 * blocks + 4);
  out[0] = 0x78; // deflate, 32 KB window
  out[1] = 0x01; // fastest; (0x78·256 + 0x01) % 31 === 0
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, data.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE = 00
    out[o++] = len & 0xff;
    out[o++] = len >>> 8;
    out[o++] = ~len & 0xff;
    out[o++] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), o);
    o += len;
  }
  let a = 1;
  let bsum = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]) % 65521;
    bsum = (bsum + a) % 65521;
  }
  const adler = ((bsum << 16) | a) >>> 0;
  out[o++] = adler >>> 24;
  out[o++] = (adler >>> 16) & 0xff;
  out[o++] = (adler >>> 8) & 0xff;
  out[o++] = adler & 0xff;
  return out;
}

/** Encodes 8-bit RGB pixels (`width × height × 3` bytes, row-major) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array, deflate: (bytes: Uint8Array) => Uint8Array = zlibStored): Uint8Array {
  if (rgb.length !== width * height * 3) throw new RangeError(`encodePng: rgb must have width × height × 3 = ${width * height * 3} bytes, received ${rgb.length}`);
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const idat = deflate(raw);
  const chunks: Array<[string, Uint8Array]> = [];
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, adaptive filters, no interlace
  chunks.push(['IHDR', ihdr], ['IDAT', idat], ['IEND', new Uint8Array(0)]);
  const size = 8 + chunks.reduce((s, [, d]) => s + 12 + d.length, 0);
  const out = new Uint8Array(size);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  const dv = new DataView(out.buffer);
  let o = 8;
  for (const [type, data] of chunks) {
    dv.setUint32(o, data.length);
    for (let i = 0; i < 4; i++) out[o + 4 + i] = type.charCodeAt(i);
    out.set(data, o + 8);
    dv.setUint32(o + 8 + data.length, crc32(out, o + 4, o + 8 + data.length));
    o += 12 + data.length;
  }
  return out;
}

/**
 * The heatmap's cells (viridis, row 0 at the top, NaN grey) and its colour bar as a PNG file,
 * without labels. For a labelled picture use `renderHeatmap` (SVG).
 */
export function renderHeatmapPng(data: HeatmapData, options?: HeatmapPngOptions): Uint8Array {
  const where = 'renderHeatmapPng';
  const o: Partial<HeatmapPngOptions> = optionsObject<HeatmapPngOptions>(where, options);
  const m = toMatrix(where, data, o.numClasses);
  const [min, max] = valueRange(where, m, o.min, o.max);
  const fitting = Math.max(1, Math.min(40, Math.floor(720 / m.cols), Math.floor(720 / m.rows)));
  const cell = optional(where, 'options.cellSize', o.cellSize, fitting, integerIn(1, 1000));
  const deflate = optional(where, 'options.deflate', o.deflate, zlibStored, callback<(bytes: Uint8Array) => Uint8Array>);
  const bar = optional(where, 'options.colorBar', o.colorBar, true, flag);
  const margin = 8;
  const gridW = m.cols * cell;
  const gridH = m.rows * cell;
  const barW = bar ? 16 : 0;
  const barGap = bar ? 12 : 0;
  const barH = bar ? Math.max(gridH, 64) : 0;
  const width = margin + 1 + gridW + 1 + barGap + (bar ? barW + 2 : 0) + margin;
  const height = margin + 1 + Math.max(gridH, barH) + 1 + margin;
  if (width * height > 50_000_000) throw new RangeError(`${where}: the image would be ${width}×${height} pixels; use a smaller cellSize`);
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const put = (x: number, y: number, c: readonly number[]): void => {
    const i = (y * width + x) * 3;
    rgb[i] = c[0];
    rgb[i + 1] = c[1];
    rgb[i + 2] = c[2];
  };
  const rect = (x0: number, y0: number, w: number, h: number, c: readonly number[]): void => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) put(x, y, c);
  };
  const frame = (x0: number, y0: number, w: number, h: number): void => {
    rect(x0, y0, w, 1, [0, 0, 0]);
    rect(x0, y0 + h - 1, w, 1, [0, 0, 0]);
    rect(x0, y0, 1, h, [0, 0, 0]);
    rect(x0 + w - 1, y0, 1, h, [0, 0, 0]);
  };
  frame(margin, margin, gridW + 2, gridH + 2);
  for (let i = 0; i < m.rows; i++) {
    for (let k = 0; k < m.cols; k++) {
      const c = viridisRgb(normalise(m.values[i * m.cols + k], min, max)) ?? [200, 200, 200];
      rect(margin + 1 + k * cell, margin + 1 + i * cell, cell, cell, c);
    }
  }
  if (bar) {
    const x0 = margin + 1 + gridW + 1 + barGap;
    frame(x0, margin, barW + 2, barH + 2);
    for (let y = 0; y < barH; y++) rect(x0 + 1, margin + 1 + y, barW, 1, viridisRgb(barH === 1 ? 1 : 1 - y / (barH - 1))!);
  }
  return encodePng(width, height, rgb, deflate);
}
