// The `labelsmooth` command (the package's bin, bundled by rollup into dist/cli.mjs).
// Exit status: 0 ok, 1 a runtime failure, 2 a usage error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_FAILURE, EXIT_USAGE, RuntimeFailure, UsageError } from './args';
import { BENCH_HELP, runBench } from './bench';
import { LOSS_HELP, runLoss } from './loss';
import { runTargets, TARGETS_HELP } from './targets';

const MAIN_HELP = `labelsmooth: label smoothing and its losses (a Rust kernel in WebAssembly), from the shell

Usage: labelsmooth <command> [options]

Commands:
  targets    print the smoothed target matrix; --plot FILE.svg writes its heatmap
  loss       label-smoothed cross-entropy of logits from a JSON/CSV file or stdin, its NLL and
             smoothing parts, and optionally the gradient (--grad FILE) and its heatmap (--plot)
  bench      time this package's kernels on both wasm builds (median times, M logits/s)
  help CMD   the help of a command (also: labelsmooth CMD --help)

Options: -h, --help   this help;   -v, --version   the version

Example (the Annotated Transformer's label-smoothing example, plotted like its
plt.imshow(crit.true_dist)):
  labelsmooth targets --size 5 --padding-idx 0 --smoothing 0.5 --convention annotated \\
    --target 2,1,0 --plot example.svg

Exit status: 0 ok, 1 a runtime failure (unreadable input, invalid data, unwritable output, a
failed measurement), 2 a usage error (unknown command or option, a missing or invalid value).`;

const HELP: Record<string, string> = { targets: TARGETS_HELP, loss: LOSS_HELP, bench: BENCH_HELP };

function version(): string {
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    return (JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
const info = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        info(MAIN_HELP);
        return EXIT_USAGE;
      case '-h':
      case '--help':
        out(MAIN_HELP);
        return 0;
      case '-v':
      case '--version':
        out(version());
        return 0;
      case 'help': {
        if (rest.length === 0) {
          out(MAIN_HELP);
          return 0;
        }
        const text = HELP[rest[0]];
        if (text === undefined) throw new UsageError(`no command '${rest[0]}' (commands: targets, loss, bench)`);
        out(text);
        return 0;
      }
      case 'targets':
        return runTargets(rest, out, info);
      case 'loss':
        return runLoss(rest, out, info);
      case 'bench':
        return runBench(rest, out, info);
      default:
        throw new UsageError(
          command.startsWith('-') ? `unknown option '${command}' (a command comes first: targets, loss or bench)` : `unknown command '${command}' (commands: targets, loss, bench)`,
        );
    }
  } catch (e) {
    if (e instanceof UsageError) {
      const help = e.command ? `labelsmooth ${e.command} --help` : 'labelsmooth --help';
      info(`labelsmooth${e.command ? ` ${e.command}` : ''}: error: ${e.message}\nSee '${help}'.`);
      return EXIT_USAGE;
    }
    if (e instanceof RuntimeFailure) {
      info(`labelsmooth${command && HELP[command] ? ` ${command}` : ''}: error: ${e.message}`);
      return EXIT_FAILURE;
    }
    info(`labelsmooth: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return EXIT_FAILURE;
  }
}

// EPIPE (e.g. `labelsmooth targets … | head -1`) is not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    info(`labelsmooth: internal error: ${String(e)}`);
    process.exitCode = EXIT_FAILURE;
  },
);
