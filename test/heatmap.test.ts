// The heatmap renderers (SVG and PNG) of the built package: structure, colours, labels, escaping.
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, renderHeatmap, renderHeatmapPng, renderHeatmapWithLayout, smoothTargets, viridis } from 'labelsmooth';

const SEED = smoothTargets([2, 1, 0], 5, { labelSmoothing: 0.5, convention: 'annotated', paddingIdx: 0 });

/** Every `<tag …>` of a kind, with its attributes. */
function elements(svg: string, tag: string, cls?: string): Array<Record<string, string> & { text: string }> {
  const re = new RegExp(`<${tag}\\b([^>]*?)(/>|>([\\s\\S]*?)</${tag}>)`, 'g');
  const found: Array<Record<string, string> & { text: string }> = [];
  for (const m of svg.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    if (cls !== undefined && attrs.class !== cls) continue;
    found.push({ ...attrs, text: (m[3] ?? '').replace(/<title>[\s\S]*?<\/title>/g, '') });
  }
  return found;
}

/** Checks that every tag is closed in order (well-formed XML, as far as this SVG goes). */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([\w:-]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `</${name}> closes the last open tag`).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  // No raw '<' or '&' in text: every '&' starts an entity.
  expect(svg.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toMatch(/&/);
}

describe('renderHeatmap (SVG): the seed matrix', () => {
  const svg = renderHeatmap(SEED, { numClasses: 5, title: 'seed', min: 0 });

  it('is one well-formed SVG document with its size and shape', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expectWellFormed(svg);
    const root = elements(svg, 'svg')[0];
    expect(root['data-rows']).toBe('3');
    expect(root['data-cols']).toBe('5');
    expect(Number(root.width)).toBeGreaterThan(200);
    expect(root.viewBox).toBe(`0 0 ${root.width} ${root.height}`);
  });

  it('draws one cell per value, row-major, with its value', () => {
    const cells = elements(svg, 'rect', 'cell');
    expect(cells).toHaveLength(15);
    cells.forEach((c, i) => {
      expect(Number(c['data-row'])).toBe(Math.floor(i / 5));
      expect(Number(c['data-col'])).toBe(i % 5);
      expect(Number(c['data-value'])).toBe(SEED[i]);
    });
    // Row 0 on top, class 0 on the left.
    expect(Number(cells[5].y)).toBeGreaterThan(Number(cells[0].y));
    expect(Number(cells[1].x)).toBeGreaterThan(Number(cells[0].x));
  });

  it('colours the minimum and maximum with viridis ends, 1/6 with the colour a third of the way', () => {
    const fill = (i: number): string => elements(svg, 'rect', 'cell')[i].fill;
    expect(fill(0)).toBe('#440154'); // 0: viridis(0), matplotlib's first entry
    expect(fill(2)).toBe('#fde725'); // 0.5 = max: viridis(1), the last entry
    expect(fill(1)).toBe(viridis(1 / 3)); // 0.1667 of [0, 0.5]
    expect(new Set([fill(0), fill(1), fill(2)]).size).toBe(3);
  });

  it('prints the values in the cells, light text on dark cells and dark on bright', () => {
    const values = elements(svg, 'text', 'value');
    expect(values.map((v) => v.text)).toEqual(['0.0000', '0.1667', '0.5000', '0.1667', '0.1667', '0.0000', '0.5000', '0.1667', '0.1667', '0.1667', ...Array(5).fill('0.0000')]);
    expect(values[0].fill).toBe('#ffffff');
    expect(values[2].fill).toBe('#000000');
  });

  it('has a colour bar with round values from the minimum to the maximum', () => {
    const ticks = elements(svg, 'text', 'colorbar-tick');
    expect(ticks.map((t) => t.text)).toEqual(['0.0', '0.1', '0.2', '0.3', '0.4', '0.5']);
    // The maximum at the top.
    expect(Number(ticks[5].y)).toBeLessThan(Number(ticks[0].y));
    const bands = svg.match(/<g class="colorbar-bands"[\s\S]*?<\/g>/)![0];
    const fills = [...bands.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(fills[0]).toBe('#440154');
    expect(fills.at(-1)).toBe('#fde725');
  });

  it('labels the axes, the rows and the classes', () => {
    expect(elements(svg, 'text', 'x-label')[0].text).toBe('class');
    expect(elements(svg, 'text', 'y-label')[0].text).toBe('row');
    expect(elements(svg, 'text', 'col-tick').map((t) => t.text)).toEqual(['0', '1', '2', '3', '4']);
    expect(elements(svg, 'text', 'row-tick').map((t) => t.text)).toEqual(['0', '1', '2']);
    const custom = renderHeatmap(SEED, { numClasses: 5, rowLabels: ['0 → 2', '1 → 1', '2 → 0'], xLabel: 'token', yLabel: '' });
    expect(elements(custom, 'text', 'row-tick').map((t) => t.text)).toEqual(['0 → 2', '1 → 1', '2 → 0']);
    expect(elements(custom, 'text', 'x-label')[0].text).toBe('token');
    expect(elements(custom, 'text', 'y-label')).toHaveLength(0);
  });
});

describe('renderHeatmap (SVG): text, shapes and values', () => {
  it('escapes the title and labels', () => {
    const title = `<script>alert("x")</script> & 'ε'`;
    const svg = renderHeatmap([[1, 2]], { title, colLabels: ['a<b', 'c&d'], rowLabels: ['"q"'] });
    expectWellFormed(svg);
    expect(svg).not.toContain('<script>');
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;ε&#39;';
    expect(elements(svg, 'text', 'title')[0].text).toBe(escaped);
    expect(svg).toContain(`<title>${escaped}</title>`);
    expect(elements(svg, 'text', 'col-tick').map((t) => t.text)).toEqual(['a&lt;b', 'c&amp;d']);
    expect(elements(svg, 'text', 'row-tick')[0].text).toBe('&quot;q&quot;');
  });

  it('accepts arrays of rows and flat arrays alike', () => {
    const rows = [
      [0, 1 / 6, 0.5, 1 / 6, 1 / 6],
      [0, 0.5, 1 / 6, 1 / 6, 1 / 6],
    ];
    expect(renderHeatmap(rows)).toBe(renderHeatmap(rows.flat(), { numClasses: 5 }));
  });

  it('prints no values on a large matrix and thins the labels so they do not overlap', () => {
    const big = Array.from({ length: 40 }, (_, i) => Array.from({ length: 100 }, (_, k) => Math.sin(i * k)));
    const { svg, layout } = renderHeatmapWithLayout(big);
    expect(layout.valuesShown).toBe(false);
    expect(elements(svg, 'rect', 'cell')).toHaveLength(4000);
    expect(elements(svg, 'text', 'value')).toHaveLength(0);
    const cols = elements(svg, 'text', 'col-tick');
    expect(cols.length).toBeLessThan(100);
    expect(cols.length).toBeGreaterThan(5);
    const xs = cols.map((c) => Number(c.x));
    const widest = Math.max(...cols.map((c) => c.text.length)) * 12 * 0.62;
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThan(widest);
    const rowsShown = elements(svg, 'text', 'row-tick').map((t) => Number(t.y));
    for (let i = 1; i < rowsShown.length; i++) expect(rowsShown[i] - rowsShown[i - 1]).toBeGreaterThanOrEqual(12);
  });

  it('shows negative values (a gradient) with a colour bar through 0', () => {
    const svg = renderHeatmap([[-0.6, 0, 0.5]]);
    const ticks = elements(svg, 'text', 'colorbar-tick').map((t) => t.text);
    expect(ticks).toEqual(['−0.50', '−0.25', '0.00', '0.25', '0.50']);
    const cells = elements(svg, 'rect', 'cell');
    expect(cells[0].fill).toBe('#440154');
    expect(cells[2].fill).toBe('#fde725');
    expect(elements(svg, 'text', 'value')[0].text).toBe('−0.6000');
  });

  it('draws NaN grey and ±Infinity at the ends, outside the colour range', () => {
    const svg = renderHeatmap([[NaN, 1, 2, Infinity, -Infinity]]);
    const cells = elements(svg, 'rect', 'cell');
    expect(cells[0].fill).toBe('#c8c8c8');
    expect(cells[3].fill).toBe('#fde725');
    expect(cells[4].fill).toBe('#440154');
    expect(elements(svg, 'text', 'value').map((v) => v.text)).toEqual(['NaN', '1.0000', '2.0000', '∞', '−∞']);
    expect(elements(svg, 'svg')[0]['data-max']).toBe('2');
  });

  it('draws a constant matrix in one colour with one colour-bar value', () => {
    const svg = renderHeatmap([[0, 0], [0, 0]]);
    expect(new Set(elements(svg, 'rect', 'cell').map((c) => c.fill))).toEqual(new Set(['#440154']));
    expect(elements(svg, 'text', 'colorbar-tick').map((t) => t.text)).toEqual(['0']);
  });

  it('refuses what it cannot draw, naming the argument', () => {
    expect(() => renderHeatmap(SEED)).toThrow(TypeError);
    expect(() => renderHeatmap(SEED)).toThrow(/options\.numClasses/);
    expect(() => renderHeatmap(SEED, { numClasses: 4 })).toThrow(new RangeError('renderHeatmap: data must hold N×numClasses values (a multiple of 4), received 15 values'));
    expect(() => renderHeatmap([[1, 2], [3]])).toThrow(/data\[1\] has 1/);
    expect(() => renderHeatmap([], { numClasses: 3 })).toThrow(/empty/);
    expect(() => renderHeatmap([[1, 2]], { rowLabels: ['a', 'b'] })).toThrow(/rowLabels/);
    expect(() => renderHeatmap([[1, 2]], { min: 3, max: 1 })).toThrow(/options\.min/);
    expect(() => renderHeatmap([['1' as unknown as number]])).toThrow(/data\[0\]\[0\] must be a number/);
    expect(() => renderHeatmap(new Float32Array(300_000), { numClasses: 1000 })).toThrow(/plot a slice/);
  });
});

describe('viridis', () => {
  it("is matplotlib's table: its ends, its middle, NaN", () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(0.5)).toBe('#21918c');
    expect(viridis(1)).toBe('#fde725');
    expect(viridis(-1)).toBe('#440154');
    expect(viridis(2)).toBe('#fde725');
    expect(viridis(NaN)).toBeNull();
  });
});

/** Decodes a PNG written by encodePng (8-bit RGB, filter 0) back to pixels. */
function decodePng(png: Uint8Array): { width: number; height: number; pixel: (x: number, y: number) => string } {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let o = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (o < png.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    types.push(type);
    const data = png.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      expect(Array.from(data.subarray(8))).toEqual([8, 2, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe((width * 3 + 1) * height);
  const pixel = (x: number, y: number): string => {
    const i = y * (width * 3 + 1) + 1 + x * 3;
    return `#${[raw[i], raw[i + 1], raw[i + 2]].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  };
  return { width, height, pixel };
}

describe('renderHeatmapPng', () => {
  it('encodes the cells in viridis and the colour bar, readable by zlib', () => {
    const png = renderHeatmapPng(SEED, { numClasses: 5, cellSize: 10, min: 0 });
    const { width, height, pixel } = decodePng(png);
    // 8 margin + 1 frame + 50 cells + 1 frame + 12 gap + 18 bar + 8 margin.
    expect(width).toBe(98);
    expect(height).toBe(8 + 1 + 64 + 1 + 8);
    const cell = (row: number, col: number): string => pixel(9 + col * 10 + 5, 9 + row * 10 + 5);
    expect(cell(0, 0)).toBe('#440154');
    expect(cell(0, 2)).toBe('#fde725');
    expect(cell(0, 1)).toBe(viridis(1 / 3));
    expect(cell(2, 4)).toBe('#440154');
    expect(pixel(0, 0)).toBe('#ffffff');
    const barX = 8 + 1 + 50 + 1 + 12 + 1 + 8;
    expect(pixel(barX, 9)).toBe('#fde725'); // the top of the bar: the maximum
    expect(pixel(barX, 9 + 63)).toBe('#440154');
  });

  it('gives the same pixels through a real deflate, and checks its CRCs', () => {
    const stored = renderHeatmapPng(SEED, { numClasses: 5 });
    const compressed = renderHeatmapPng(SEED, { numClasses: 5, deflate: (b: Uint8Array) => new Uint8Array(deflateSync(b)) });
    expect(compressed.length).toBeLessThan(stored.length);
    const a = decodePng(stored);
    const b = decodePng(compressed);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    for (const [x, y] of [[20, 20], [60, 30], [a.width - 15, 40]]) expect(b.pixel(x, y)).toBe(a.pixel(x, y));
  });

  it('encodePng writes chunks whose CRCs match', () => {
    const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 0, 0, 255]));
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    let o = 8;
    while (o < png.length) {
      const len = view.getUint32(o);
      const stored = view.getUint32(o + 8 + len);
      expect(stored).toBe(referenceCrc(png.subarray(o + 4, o + 8 + len)));
      o += 12 + len;
    }
    expect(decodePng(png).pixel(1, 0)).toBe('#0000ff');
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(RangeError);
  });
});

/** CRC-32 (ISO 3309), bit by bit: the PNG chunk checksum. */
function referenceCrc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
