// `labelsmooth bench`: runs the repository's benchmark (`node bench/run.mjs`, arguments passed
// through) and shows that it is alive: a spinner with the elapsed time on a terminal while the
// benchmark is quiet, a line every 30 s otherwise, and the total time at the end.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeFailure, UsageError } from './args';

export const BENCH_HELP = `labelsmooth bench: runs the labelsmooth benchmark (node bench/run.mjs) with a progress display

Usage: labelsmooth bench [--repo DIR] [BENCHMARK ARGUMENTS…]
       labelsmooth bench --quick
       labelsmooth bench -- --help        (the benchmark's own help)

  --repo DIR      the labelsmooth repository holding bench/run.mjs (default: $LABELSMOOTH_REPO,
                  else the nearest one above the current directory, else the one this CLI was
                  built in). The benchmark ships with the repository, not with the npm package.
  -h, --help      this help
  Every other argument (and everything after --) goes to bench/run.mjs unchanged.

Exit status: 0 ok, 1 the benchmark is missing or failed, 2 a bad command line (also when the
benchmark itself exits 2).`;

/** Where to look for bench/run.mjs, in order. */
function candidates(repo: string | undefined): string[] {
  if (repo !== undefined) return [path.resolve(repo)];
  const found: string[] = [];
  if (process.env.LABELSMOOTH_REPO) found.push(path.resolve(process.env.LABELSMOOTH_REPO));
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    found.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  try {
    // dist/cli.mjs → packages/labelsmooth/dist → the repository root three levels up.
    found.push(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'));
  } catch {
    // not loaded from a file
  }
  return [...new Set(found)];
}

export function runBench(argv: string[], out: (s: string) => void, info: (s: string) => void): Promise<number> | number {
  const cmd = 'bench';
  const passThrough: string[] = [];
  let repo: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      passThrough.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') {
      out(BENCH_HELP);
      return 0;
    }
    if (a === '--repo') {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('-')) throw new UsageError('--repo needs a directory', cmd);
      repo = argv[++i];
    } else if (a.startsWith('--repo=')) {
      repo = a.slice('--repo='.length);
      if (repo === '') throw new UsageError('--repo needs a directory', cmd);
    } else {
      passThrough.push(a);
    }
  }
  const searched = candidates(repo);
  const root = searched.find((dir) => existsSync(path.join(dir, 'bench', 'run.mjs')));
  if (root === undefined) {
    const where = repo !== undefined ? `${path.join(searched[0], 'bench', 'run.mjs')} does not exist` : `no bench/run.mjs in ${searched.length === 1 ? searched[0] : `any of: ${searched.join(', ')}`}`;
    throw new RuntimeFailure(
      `the benchmark was not found: ${where}. It ships with the labelsmooth repository, not the npm package: run this inside a clone (npm run build first), or pass --repo DIR`,
    );
  }
  return spawnBenchmark(root, passThrough, info);
}

function spawnBenchmark(root: string, args: string[], info: (s: string) => void): Promise<number> {
  const script = path.join('bench', 'run.mjs');
  info(`labelsmooth bench: node ${[script, ...args].join(' ')}  (in ${root})`);
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const tty = Boolean(process.stderr.isTTY);
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  let spinnerShown = false;
  let lastOutput = Date.now();
  let lastHeartbeat = Date.now();
  // Whether the benchmark left a line open (its own '\r' progress line): the spinner keeps off it.
  let lineOpen = false;
  const clearSpinner = (): void => {
    if (spinnerShown) {
      process.stderr.write('\r\x1b[K');
      spinnerShown = false;
    }
  };
  const timer = setInterval(() => {
    const quietFor = Date.now() - lastOutput;
    if (tty) {
      if (quietFor > 800 && !lineOpen) {
        process.stderr.write(`\r\x1b[K${frames[frame++ % frames.length]} benchmark running… ${elapsed()}`);
        spinnerShown = true;
      }
    } else if (quietFor > 30_000 && Date.now() - lastHeartbeat > 30_000) {
      lastHeartbeat = Date.now();
      process.stderr.write(`labelsmooth bench: still running (${elapsed()})\n`);
    }
  }, 120);
  timer.unref();

  return new Promise((resolve) => {
    // The benchmark's output is piped (so it is not a TTY there); LABELSMOOTH_BENCH_PROGRESS=tty
    // tells it that a terminal shows its output, where '\r' progress lines work.
    const env = { ...process.env, ...(tty ? { LABELSMOOTH_BENCH_PROGRESS: 'tty' } : {}) };
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['inherit', 'pipe', 'pipe'], env });
    const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      clearSpinner();
      lastOutput = Date.now();
      lineOpen = chunk.length > 0 && chunk[chunk.length - 1] !== 0x0a;
      stream.write(chunk);
    };
    child.stdout!.on('data', forward(process.stdout));
    child.stderr!.on('data', forward(process.stderr));
    const finish = (code: number, message: string): void => {
      clearInterval(timer);
      clearSpinner();
      info(message);
      resolve(code);
    };
    child.on('error', (e) => finish(1, `labelsmooth: error: could not start the benchmark: ${e.message}`));
    child.on('close', (code, signal) => {
      if (code === 0) finish(0, `labelsmooth bench: finished in ${elapsed()}`);
      else if (code === 2) finish(2, `labelsmooth: error: the benchmark refused its arguments (exit 2) after ${elapsed()}; see labelsmooth bench -- --help`);
      else finish(1, `labelsmooth: error: the benchmark failed (${signal ? `killed by ${signal}` : `exit ${code}`}) after ${elapsed()}`);
    });
  });
}
