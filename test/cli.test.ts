// The `labelsmooth` command (packages/labelsmooth/dist/cli.mjs, run with node): every command,
// every error path, and the exit codes 0 (ok), 1 (runtime failure), 2 (usage error). The CLI
// honours LABELSMOOTH_BACKEND; this suite runs once (the `node` project, simd128) and tests the
// other build through --backend.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { crossEntropy, crossEntropyParts, crossEntropyWithGrad, relaxedSimdSupported, smoothTargets } from 'labelsmooth';

// Each test starts one to four node processes running the CLI (≈ 0.3 s each on an idle core);
// measured 1.1–2.5 s per test with the other core busy, so the limit is 20 s, not the default 5.
vi.setConfig({ testTimeout: 20_000 });

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'packages/labelsmooth/dist/cli.mjs');
const backendName = process.env.LABELSMOOTH_BACKEND ?? 'simd128';
const dir = mkdtempSync(path.join(tmpdir(), 'labelsmooth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], opts: { input?: string; cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Run {
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), cli, ...args], {
    cwd: opts.cwd ?? dir,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, LABELSMOOTH_BACKEND: backendName, ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage error: exit 2, the message, and the pointer to --help. */
function expectUsage(r: Run, message: RegExp, command?: string): void {
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toContain(command ? `See 'labelsmooth ${command} --help'.` : "See 'labelsmooth --help'.");
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
}

/** A runtime failure: exit 1 and the message. */
function expectFailure(r: Run, message: RegExp): void {
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(1);
}

const SEED_ARGS = ['targets', '--size', '5', '--padding-idx', '0', '--smoothing', '0.5', '--convention', 'annotated', '--target', '2,1,0'];
const SEED_LOGITS = [
  [0, 0.2, 0.7, 0.1, 0],
  [0, 0.2, 0.7, 0.1, 0],
  [0, 0.2, 0.7, 0.1, 0],
];
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

it('the CLI has been built (npm run build bundles src/cli/main.ts into dist/cli.mjs)', () => {
  expect(existsSync(cli)).toBe(true);
  expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});

describe('labelsmooth (no command, help, version)', () => {
  it('prints the overview with --help and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: labelsmooth <command> [options]');
    for (const c of ['targets', 'loss', 'bench']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });
  it('prints the overview on stderr and exits 2 without a command', () => {
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: labelsmooth <command>');
  });
  it('prints the version of the package', () => {
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(root, 'packages/labelsmooth/package.json'), 'utf8')).version);
  });
  it('refuses an unknown command or a leading option with exit 2', () => {
    expectUsage(run(['tagets']), /labelsmooth: error: unknown command 'tagets' \(commands: targets, loss, bench\)/);
    expectUsage(run(['--size', '5']), /unknown option '--size' \(a command comes first/);
  });
  it('help CMD prints the command help; help of an unknown command is a usage error', () => {
    const r = run(['help', 'loss']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: labelsmooth loss [FILE] [options]');
    expectUsage(run(['help', 'nope']), /no command 'nope'/);
  });
});

describe('labelsmooth targets', () => {
  it('prints the seed matrix as a table and writes its heatmap', () => {
    const r = run([...SEED_ARGS, '--plot', 'seed.svg']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `labelsmooth (${backendName} build): smoothed targets`,
        "convention 'annotated', K = 5, ε = 0.5, padding class 0, target = [2,1,0]",
        '',
        '             class 0  class 1  class 2  class 3  class 4',
        'row 0 → 2     0.0000   0.1667   0.5000   0.1667   0.1667',
        'row 1 → 1     0.0000   0.5000   0.1667   0.1667   0.1667',
        'row 2 → 0     0.0000   0.0000   0.0000   0.0000   0.0000  (target is the padding class: row zeroed)',
        '',
        '1-ε = 0.5000 on the target, ε/(K-2) = 0.1667 on the other non-padding classes, 0 in the padding column.',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe('wrote the heatmap of the 3×5 smoothed targets to seed.svg\n');
    const svg = readFileSync(path.join(dir, 'seed.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/class="cell"/g)).toHaveLength(15);
    expect(svg).toContain('LabelSmoothing(size=5, padding_idx=0, smoothing=0.5): true_dist');
    expect([...svg.matchAll(/data-value="([^"]+)"/g)].slice(0, 15).map((m) => Number(m[1]))).toEqual(Array.from(smoothTargets([2, 1, 0], 5, { labelSmoothing: 0.5, convention: 'annotated', paddingIdx: 0 })));
    expect(svg).toContain('>0 → 2</text>');
  });

  it('writes a PNG heatmap for --plot FILE.png', () => {
    const r = run([...SEED_ARGS, '--plot', 'seed.png']);
    expect(r.code).toBe(0);
    const png = readFileSync(path.join(dir, 'seed.png'));
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeLessThan(5000); // compressed with node:zlib
    const idatAt = png.indexOf('IDAT');
    expect(inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4))).length).toBeGreaterThan(0);
    expect(r.stderr).toContain('seed.png (PNG: cells and colour bar');
  });

  it('prints JSON and CSV with float32 values as the API gives them', () => {
    const want = smoothTargets([2, 1, 0], 5, { labelSmoothing: 0.1 });
    const json = run(['targets', '--size', '5', '--smoothing', '0.1', '--target', '2,1,0', '--format', 'json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ convention: 'uniform', numClasses: 5, labelSmoothing: 0.1, target: [2, 1, 0], backend: backendName });
    expect(parsed.targets.flat().map(Math.fround)).toEqual(Array.from(want));
    const csv = run(['targets', '--num-classes', '5', '--label-smoothing', '0.1', '--target', '2,1,0', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('row,target,class_0,class_1,class_2,class_3,class_4');
    expect(lines[1]).toBe('0,2,0.02,0.02,0.92,0.02,0.02');
    expect(lines.slice(1).flatMap((l) => l.split(',').slice(2).map(Number)).map(Math.fround)).toEqual(Array.from(want));
  });

  it('marks rows whose target is the ignore index', () => {
    const r = run(['targets', '--size', '3', '--smoothing', '0.3', '--convention', 'fairseq', '--target', '0,-1', '--ignore-index=-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('row 1 → -1     0.0000   0.0000   0.0000  (target is the ignore index: row zeroed)');
    expect(r.stdout).toContain('1-ε = 0.7000 on the target, ε/(K-1) = 0.1500 on every other class.');
  });

  it('honours --backend', () => {
    const other = backendName === 'simd128' ? 'scalar' : 'simd128';
    const r = run(['targets', '--size', '3', '--target', '1', '--backend', other]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`labelsmooth (${other} build)`);
    expectUsage(run(['targets', '--size', '3', '--target', '1', '--backend', 'gpu']), /--backend must be one of auto, relaxed-simd, simd128, scalar; received 'gpu'/, 'targets');
    expectUsage(run(['targets', '--size', '3', '--target', '1'], { env: { LABELSMOOTH_BACKEND: 'gpu' } }), /\$LABELSMOOTH_BACKEND must be one of/, 'targets');
  });

  // V8's flag turns relaxed SIMD on in Node 20 (Node ≥ 22 runs it without one); this process
  // (the same node) says whether the CLI's engine runs it without the flag.
  it('--backend relaxed-simd: the relaxed-simd build where the engine runs it, else the library\'s error (exit 1)', () => {
    const args = ['targets', '--size', '3', '--target', '1', '--backend', 'relaxed-simd'];
    const flagged = run(args, { nodeArgs: ['--experimental-wasm-relaxed-simd'] });
    expect(flagged.code).toBe(0);
    expect(flagged.stdout).toContain('labelsmooth (relaxed-simd build)');
    const plain = run(args);
    if (relaxedSimdSupported()) {
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain('labelsmooth (relaxed-simd build)');
    } else {
      expectFailure(plain, /could not load the relaxed-simd build: initSync: options\.backend 'relaxed-simd' needs WebAssembly relaxed SIMD, which this engine does not run/);
    }
    const fromEnv = run(['targets', '--size', '3', '--target', '1', '--format', 'json'], { nodeArgs: ['--experimental-wasm-relaxed-simd'], env: { LABELSMOOTH_BACKEND: 'relaxed-simd' } });
    expect(JSON.parse(fromEnv.stdout).backend).toBe('relaxed-simd');
  });

  it('prints its help with --help and exits 0', () => {
    const r = run(['targets', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: labelsmooth targets --size K --target LIST [options]');
    expect(r.stdout).toContain('--plot FILE');
  });

  it.each([
    [['targets', '--target', '1'], /--size is required/],
    [['targets', '--size', '5'], /--target is required/],
    [['targets', '--size', 'five', '--target', '1'], /--size must be an integer, received 'five'/],
    [['targets', '--size', '0', '--target', '1'], /--size must be a positive integer, received 0/],
    [['targets', '--size', '5', '--target', '1,x'], /'x' is not an integer/],
    [['targets', '--size', '5', '--target', '1', '--smoothing', '1.5'], /--smoothing must be a number in \[0, 1\], received 1\.5/],
    [['targets', '--size', '5', '--target', '1', '--smoothing', 'abc'], /--smoothing must be a number, received 'abc'/],
    [['targets', '--size', '5', '--target', '1', '--smoothing', '-0.1'], /argument is ambiguous/],
    [['targets', '--size', '5', '--target', '2,7,0'], /--target\[1\] must be a class index in \[0, 5\) or --ignore-index \(-100\), received 7/],
    [['targets', '--size', '5', '--target', '1', '--convention', 'annotated'], /convention 'annotated' needs --padding-idx/],
    [['targets', '--size', '2', '--target', '1', '--convention', 'annotated', '--padding-idx', '0'], /needs K >= 3/],
    [['targets', '--size', '5', '--target', '1', '--padding-idx', '0'], /--padding-idx only applies to convention 'annotated'/],
    [['targets', '--size', '5', '--target', '1', '--convention', 'torch'], /--convention must be one of uniform, fairseq, annotated; received 'torch'/],
    [['targets', '--size', '5', '--target', '1', '--format', 'xml'], /--format must be one of table, csv, json/],
    [['targets', '--size', '5', '--target', '1', '--plot', 'x.pdf'], /--plot x\.pdf: the file name must end in \.svg .* or \.png/],
    [['targets', '--size', '5', '--target', '1', '--bogus'], /unknown option '--bogus'/],
    [['targets', '--size', '5', '--target', '1', 'extra'], /unexpected argument 'extra'/],
    [['targets', '--size', '5', '--size', '6', '--target', '1', '--num-classes', '5'], /give --size or --num-classes, not both/],
  ])('usage error: %j', (args, message) => {
    expectUsage(run(args as string[]), message as RegExp, 'targets');
  });

  it('runtime failure: the heatmap cannot be written (exit 1, nothing printed)', () => {
    const r = run([...SEED_ARGS, '--plot', path.join(dir, 'no/such/dir/seed.svg')]);
    expectFailure(r, /labelsmooth targets: error: could not write .*seed\.svg: its directory does not exist/);
    expect(r.stdout).toBe('');
  });
});

describe('labelsmooth loss', () => {
  const seedJson = file('seed.json', JSON.stringify({ logits: SEED_LOGITS, target: [2, 1, 0] }));
  const seedCsv = file('seed.csv', `# the seed's predict rows as logits\ntarget,c0,c1,c2,c3,c4\n${SEED_LOGITS.map((r, i) => [[2, 1, 0][i], ...r].join(',')).join('\n')}\n`);
  const logits = Float32Array.from(SEED_LOGITS.flat());
  const annotated = { labelSmoothing: 0.5, convention: 'annotated' as const, paddingIdx: 0, numClasses: 5 };
  const smoothingFlags = ['--smoothing', '0.5', '--convention', 'annotated', '--padding-idx', '0'];

  it('prints the loss and its parts as the API gives them (JSON file, --json)', () => {
    const r = run(['loss', seedJson, ...smoothingFlags, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const parts = crossEntropyParts(logits, [2, 1, 0], annotated);
    expect(out.loss).toBe(crossEntropy(logits, [2, 1, 0], annotated));
    expect(out).toMatchObject({ nll: parts.nll, smooth: parts.smooth, denominator: 2, reduction: 'mean', rows: 3, numClasses: 5, convention: 'annotated', backend: backendName });
    expect((out.on - out.off) * out.nll + out.off * out.smooth).toBeCloseTo(out.loss * out.denominator, 6); // on/off in float32 in the kernel
  });

  it('prints a readable report with the decomposition', () => {
    const r = run(['loss', seedJson, ...smoothingFlags]);
    expect(r.code).toBe(0);
    const loss = crossEntropy(logits, [2, 1, 0], annotated);
    expect(r.stdout).toContain(`labelsmooth (${backendName} build): cross-entropy of 3×5 logits from ${seedJson}`);
    expect(r.stdout).toContain(`loss: ${loss.toFixed(6)}`);
    expect(r.stdout).toMatch(/NLL \(Σ −log p_target\): +\d+\.\d{6}/);
    expect(r.stdout).toContain('rows counted:                       2');
    expect(r.stdout).toContain(`= (0.5000 − 0.1667)·NLL + 0.1667·smoothing term = ${(loss * 2).toFixed(6)} ÷ 2 = ${loss.toFixed(6)}`);
  });

  it('reads CSV from stdin (header names the target column) and gives the same loss', () => {
    const r = run(['loss', ...smoothingFlags, '--json'], { input: readFileSync(seedCsv, 'utf8') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).loss).toBe(crossEntropy(logits, [2, 1, 0], annotated));
    // Without a header the first column is the target; '-' reads stdin too.
    const plain = SEED_LOGITS.map((row, i) => [[2, 1, 0][i], ...row].join(',')).join('\n');
    const r2 = run(['loss', '-', '--smoothing', '0.1', '--json'], { input: plain });
    expect(JSON.parse(r2.stdout).loss).toBe(crossEntropy(logits, [2, 1, 0], { labelSmoothing: 0.1, numClasses: 5 }));
  });

  it('takes the targets from --target when the input has only logits', () => {
    const r = run(['loss', '--target', '2,1,0', '--format', 'json', '--json'], { input: JSON.stringify(SEED_LOGITS) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).loss).toBe(crossEntropy(logits, [2, 1, 0], { numClasses: 5 }));
    const flat = file('flat.json', JSON.stringify({ logits: SEED_LOGITS.flat(), numClasses: 5, labels: [2, 1, 0] }));
    expect(JSON.parse(run(['loss', flat, '--json']).stdout).loss).toBe(crossEntropy(logits, [2, 1, 0], { numClasses: 5 }));
  });

  it('writes the gradient as JSON and CSV, equal to crossEntropyWithGrad, and its heatmap', () => {
    const r = run(['loss', seedJson, ...smoothingFlags, '--grad', 'grad.json', '--plot', 'grad.svg']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('wrote the 3×5 gradient ∂loss/∂logits to grad.json');
    expect(r.stderr).toContain('wrote the heatmap of the gradient to grad.svg');
    const { grad } = crossEntropyWithGrad(logits, [2, 1, 0], annotated);
    const fromJson = JSON.parse(readFileSync(path.join(dir, 'grad.json'), 'utf8')).grad.flat();
    expect(fromJson.map(Math.fround)).toEqual(Array.from(grad as Float32Array));
    run(['loss', seedJson, ...smoothingFlags, '--grad', 'grad.csv']);
    const fromCsv = readFileSync(path.join(dir, 'grad.csv'), 'utf8').trim().split('\n').flatMap((l) => l.split(',').map(Number));
    expect(fromCsv.map(Math.fround)).toEqual(Array.from(grad as Float32Array));
    expect(readFileSync(path.join(dir, 'grad.svg'), 'utf8').match(/class="cell"/g)).toHaveLength(15);
  });

  it("supports --reduction none/sum, --weight and --z-loss like the API", () => {
    const none = JSON.parse(run(['loss', seedJson, '--smoothing', '0.1', '--reduction', 'none', '--json']).stdout);
    expect(none.loss).toEqual(Array.from(crossEntropy(logits, [2, 1, 0], { labelSmoothing: 0.1, numClasses: 5, reduction: 'none' })));
    const opts = { labelSmoothing: 0.1, numClasses: 5, reduction: 'sum' as const, weight: Float32Array.from([1, 2, 1, 1, 0.5]), zLoss: 0.01 };
    const sum = JSON.parse(run(['loss', seedJson, '--smoothing', '0.1', '--reduction', 'sum', '--weight', '1,2,1,1,0.5', '--z-loss', '0.01', '--json']).stdout);
    expect(sum.loss).toBe(crossEntropy(logits, [2, 1, 0], opts));
    const text = run(['loss', seedJson, '--reduction', 'none']);
    expect(text.stdout).toMatch(/^loss per row: [\d.]+, [\d.]+, [\d.]+$/m);
  });

  it('prints its help with --help and exits 0', () => {
    const r = run(['loss', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: labelsmooth loss [FILE] [options]');
    expect(r.stdout).toContain('JSON  {"logits"');
  });

  it.each([
    [['loss', 'seed.json', '--reduction', 'avg'], /--reduction must be one of mean, sum, none; received 'avg'/],
    [['loss', 'seed.json', '--weight', '1,2'], /--weight needs K = 5 numbers \(one per class\), received 2/],
    [['loss', 'seed.json', '--weight', '1,x'], /'x' is not a number/],
    [['loss', 'seed.json', '--z-loss', '-1'], /argument is ambiguous/],
    [['loss', 'seed.json', '--target', '1,2,0'], /seed\.json has targets and --target was given/],
    [['loss', 'seed.json', '--grad', 'g.txt'], /--grad g\.txt: the file name must end in \.json or \.csv/],
    [['loss', 'seed.json', '--plot', 'g.jpg'], /--plot g\.jpg: the file name must end in \.svg/],
    [['loss', 'seed.json', '--smoothing', '2'], /--smoothing must be a number in \[0, 1\], received 2/],
    [['loss', 'seed.json', '--convention', 'annotated'], /convention 'annotated' needs --padding-idx/],
    [['loss', 'seed.json', '--format', 'xml'], /--format must be one of json, csv/],
    [['loss', 'seed.json', 'seed.csv'], /one input FILE at most, received 2/],
    [['loss', 'seed.json', '--input', 'seed.csv'], /give the input as FILE or --input, not both/],
    [['loss', 'seed.json', '--decimals', '40'], /--decimals must be in \[0, 12\]/],
    [['loss', 'seed.json', '--nope'], /unknown option '--nope'/],
  ])('usage error: %j', (args, message) => {
    expectUsage(run(args as string[]), message as RegExp, 'loss');
  });

  it('usage errors about the targets: none at all, or --target of the wrong length or range', () => {
    expectUsage(run(['loss', '--format', 'json'], { input: JSON.stringify(SEED_LOGITS) }), /stdin has no targets: add them to the input or pass --target/, 'loss');
    expectUsage(run(['loss', '--target', '1,2'], { input: JSON.stringify(SEED_LOGITS) }), /--target: 3 rows of logits but 2 targets/, 'loss');
    expectUsage(run(['loss', '--target', '1,2,9'], { input: JSON.stringify(SEED_LOGITS) }), /--target\[2\] must be a class index in \[0, 5\)/, 'loss');
  });

  it.each([
    ['missing file', ['loss', 'missing.json'], '', /could not read missing\.json: no such file/],
    ['a directory', ['loss', '.'], '', /could not read \.: it is a directory/],
    ['empty stdin', ['loss'], '', /stdin: the input is empty/],
    ['invalid JSON', ['loss', '--format', 'json'], '{"logits": [1,', /stdin: not valid JSON/],
    ['JSON without logits', ['loss', '--format', 'json'], '{"x": 1}', /needs a "logits" key \(found "x"\)/],
    ['ragged rows', ['loss'], '{"logits": [[1,2,3],[3,2]], "target": [0,1]}', /logits\[1\] has 2 values, logits\[0\] has 3/],
    ['a non-number logit', ['loss'], '{"logits": [[1,"a",3]], "target": [0]}', /logits\[0\]\[1\] must be a number, found "a"/],
    ['a target outside [0, K)', ['loss'], '{"logits": [[1,2,3],[3,2,1]], "target": [0,5]}', /stdin: target\[1\] must be a class index in \[0, 3\) or --ignore-index \(-100\), received 5/],
    ['a fractional target', ['loss'], '{"logits": [[1,2,3]], "target": [0.5]}', /"target"\[0\] must be an integer class index/],
    ['targets and rows disagree', ['loss'], '{"logits": [[1,2,3]], "target": [0, 1]}', /stdin: 1 row of logits but 2 targets/],
    ['flat logits without numClasses', ['loss'], '{"logits": [1,2,3], "target": [0]}', /flat "logits" need "numClasses"/],
    ['a CSV cell that is no number', ['loss', '--format', 'csv'], '0,1,2\n1,x,3\n', /line 2, column 2: 'x' is not a number/],
    ['CSV rows of different widths', ['loss', '--format', 'csv'], '0,1,2\n1,2\n', /line 2 has 2 columns, the first data line has 3/],
    ['a CSV header without a target column', ['loss', '--format', 'csv'], 'a,b\n1,2\n', /header without a target column/],
    ['--num-classes disagrees', ['loss', '--num-classes', '4'], '{"logits": [[1,2,3]], "target": [0]}', /the logits have 3 columns, --num-classes says 4/],
  ])('runtime failure (exit 1): %s', (_name, args, input, message) => {
    const r = run(args as string[], { input: input as string });
    expectFailure(r, message as RegExp);
    expect(r.stdout).toBe('');
  });

  it('runtime failure: the gradient cannot be written', () => {
    const r = run(['loss', 'seed.json', '--grad', path.join(dir, 'no/dir/g.json')]);
    expectFailure(r, /could not write .*g\.json: its directory does not exist/);
  });

  it('gives Infinity as null in --json (a −∞ logit where the targets put mass)', () => {
    const r = run(['loss', '--smoothing', '0.1', '--json'], { input: '{"logits": [[0, "-inf", 1]], "target": [0]}' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).loss).toBeNull();
    expect(run(['loss', '--smoothing', '0.1'], { input: '{"logits": [[0, "-inf", 1]], "target": [0]}' }).stdout).toContain('loss: inf');
  });
});

describe('labelsmooth bench', () => {
  // A directory that holds a bench/run.mjs, as a user's project (or anything above it) may: the
  // installed command must never run it. It would leave a marker file behind.
  const project = path.join(dir, 'project');
  const marker = path.join(dir, 'bench-run-was-executed');
  mkdirSync(path.join(project, 'bench'), { recursive: true });
  mkdirSync(path.join(project, 'src', 'deep'), { recursive: true });
  writeFileSync(path.join(project, 'bench', 'run.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  const TINY = ['--shapes', '4x10', '--runs', '5'];
  const ROW = /^(crossEntropy|crossEntropyWithGrad) +(\d+)×(\d+) +(simd128|scalar) +(\d+\.\d{3}) +(\d+\.\d) *(\d+\.\d{2}×)?$/;

  // Each bench run warms every row up for ≥ 0.2 s (src/cli/bench.ts): seconds, not milliseconds.
  it("never runs a bench/run.mjs from the user's directories: it runs the benchmark it ships", { timeout: 30_000 }, () => {
    for (const cwd of [project, path.join(project, 'src', 'deep')]) {
      const r = run(['bench', ...TINY], { cwd, env: { LABELSMOOTH_REPO: project } });
      expect(existsSync(marker)).toBe(false);
      expect(r.stderr).toMatch(/labelsmooth bench: finished in \d+\.\d s/);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').filter((line) => ROW.test(line))).toHaveLength(4);
    }
    // The old way to point it at a repository is gone: an unknown option.
    expectUsage(run(['bench', '--repo', project], { cwd: project }), /unknown option '--repo'/, 'bench');
    expect(existsSync(marker)).toBe(false);
  });

  it('--quick times both calls on both builds and shows the medians, M logits/s and the simd128 speed-up', { timeout: 60_000 }, () => {
    const r = run(['bench', '--quick']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^labelsmooth bench: this package's kernels in Node v\d+\.\d+\.\d+; median of 5 timed calls after a warm-up/);
    const rows = lines.filter((line) => ROW.test(line)).map((line) => ROW.exec(line)!);
    expect(rows.map((m) => `${m[1]} ${m[2]}×${m[3]} ${m[4]}`)).toEqual(
      ['512×1000', '16×32000'].flatMap((shape) => ['crossEntropy', 'crossEntropyWithGrad'].flatMap((call) => [`${call} ${shape} scalar`, `${call} ${shape} simd128`])),
    );
    for (const m of rows) {
      const [n, k, ms, rate] = [Number(m[2]), Number(m[3]), Number(m[5]), Number(m[6])];
      expect(ms).toBeGreaterThan(0);
      // M logits/s is N·K ÷ the median, both as printed (3 and 1 decimals): within their rounding.
      expect(Math.abs(rate - (n * k) / ms / 1000)).toBeLessThan(0.05 + ((n * k) / 1000) * (0.0005 / ms ** 2) * 1.01);
      // The speed-up column is on each simd128 row only.
      expect(m[7] !== undefined).toBe(m[4] === 'simd128');
    }
  });

  it('--json gives every row with its median, and the throughput computed from it', { timeout: 30_000 }, () => {
    const r = run(['bench', '--shapes', '3x7,2x40', '--runs', '5', '--backend', 'simd128', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.runs).toBe(5);
    expect(out.rows.map((row: { call: string; n: number; k: number; backend: string }) => `${row.call} ${row.n}×${row.k} ${row.backend}`)).toEqual([
      'crossEntropy 3×7 simd128',
      'crossEntropyWithGrad 3×7 simd128',
      'crossEntropy 2×40 simd128',
      'crossEntropyWithGrad 2×40 simd128',
    ]);
    for (const row of out.rows) {
      expect(row.medianMs).toBeGreaterThan(0);
      expect(row.mLogitsPerSecond).toBe((row.n * row.k) / row.medianMs / 1000);
    }
  });

  it('--backend relaxed-simd times the relaxed-simd build alone', { timeout: 30_000 }, () => {
    const r = run(['bench', '--shapes', '3x7', '--runs', '5', '--backend', 'relaxed-simd', '--json'], { nodeArgs: ['--experimental-wasm-relaxed-simd'] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows.map((row: { call: string; backend: string }) => `${row.call} ${row.backend}`)).toEqual([
      'crossEntropy relaxed-simd',
      'crossEntropyWithGrad relaxed-simd',
    ]);
  });

  it.each([
    [['bench', '--runs', '3'], /--runs must be at least 5, received 3/],
    [['bench', '--runs', 'many'], /--runs must be an integer, received 'many'/],
    [['bench', '--shapes', '100'], /--shapes: '100' is not N×K with positive integers/],
    [['bench', '--shapes', '0x10'], /--shapes: '0x10' is not N×K with positive integers/],
    [['bench', '--backend', 'gpu'], /--backend must be one of both, relaxed-simd, simd128, scalar; received 'gpu'/],
    [['bench', 'extra'], /unexpected argument 'extra'/],
  ])('usage error: %j', (args, message) => {
    expectUsage(run(args as string[]), message as RegExp, 'bench');
  });

  it('prints its help with --help', () => {
    const r = run(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: labelsmooth bench [--quick] [--shapes NxK,…] [--runs R] [--backend B] [--json]');
    expect(r.stdout).toContain('It runs only code shipped in this package.');
    expect(r.stdout).toContain('npm run bench');
  });
});
