// Fails the run when a test, or the hooks of a suite, took more than a fifth of its timeout: a
// test that runs near its limit fails when the machine is busy (test/README.md, "The time rule").
// Registered next to the default reporter in vitest.config.mjs.
//
// A test's limit is its effective timeout (its own, else its project's testTimeout). Hooks have
// no duration of their own in the report: a suite's or file's time beyond the sum of its
// children's is its beforeAll/afterAll time, held to the project's hookTimeout (beforeEach and
// afterEach count in the test's own duration).
import path from 'node:path';
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/** The runner's task behind a reported entity (vitest keeps it as an internal `task` field). */
const task = (entity: TestCase | TestSuite | TestModule) => (entity as unknown as { task: { timeout?: number; result?: { duration?: number } } }).task;

const FRACTION = 5;

interface Slow {
  what: string;
  took: number;
  limit: number;
}

export default class SlowTestReporter implements Reporter {
  private readonly slow: Slow[] = [];

  onTestRunStart(): void {
    this.slow.length = 0; // watch mode: each run is judged on its own
  }

  onTestCaseResult(test: TestCase): void {
    if (test.result().state === 'skipped') return;
    const limit = task(test).timeout || test.project.config.testTimeout;
    const took = test.diagnostic()?.duration ?? 0;
    if (limit > 0 && took > limit / FRACTION) this.slow.push({ what: `${label(test.module, test.project.name)} > ${test.fullName}`, took, limit });
  }

  onTestModuleEnd(module: TestModule): void {
    this.checkHooks(module, label(module, module.project.name));
  }

  onTestRunEnd(): void {
    if (this.slow.length === 0) return;
    const lines = this.slow.map((s) => `  ${s.what}: ${Math.round(s.took)} ms, over a fifth of its ${s.limit} ms limit`);
    console.error(`\n[slow-test-reporter] ${this.slow.length} over a fifth of their time limit (make them faster, or give them a justified timeout):\n${lines.join('\n')}\n`);
    process.exitCode = 1;
  }

  private checkHooks(entity: TestModule | TestSuite, where: string): void {
    const limit = entity.project.config.hookTimeout;
    let children = 0;
    for (const child of entity.children) {
      children += task(child).result?.duration ?? 0;
      if (child.type === 'suite') this.checkHooks(child, `${where} > ${child.name}`);
    }
    const own = task(entity).result?.duration;
    if (own === undefined || !(limit > 0)) return;
    const hooks = own - children;
    if (hooks > limit / FRACTION) this.slow.push({ what: `${where} (beforeAll/afterAll hooks)`, took: hooks, limit });
  }
}

function label(module: TestModule, project: string): string {
  return `|${project}| ${path.relative(process.cwd(), module.moduleId)}`;
}
