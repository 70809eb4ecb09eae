// A node:test reporter that prints nothing until the run ends, then repeats
// each failed test (its file, suites and name, and the first line of its
// error) in a few lines, so that nobody has to search thousands of TAP lines
// for one `not ok`. `npm test` runs it beside the TAP reporter, whose
// `# pass N` / `# fail N` lines CI reads; none of these lines has that form.
// Plain JavaScript: Node loads reporters before `--import tsx` applies.
import { relative } from 'node:path';

/** @param {AsyncIterable<import('node:test/reporters').TestEvent>} source */
export default async function* failureSummary(source) {
  // Per test file, the name of the test or suite that started at each nesting level (events come in declaration order).
  /** @type {Map<string, string[]>} */
  const names = new Map();
  /** @type {Array<{ where: string, why: string }>} */
  const failures = [];
  for await (const event of source) {
    if (event.type === 'test:start') {
      const stack = names.get(event.data.file ?? '') ?? [];
      stack.length = event.data.nesting;
      stack.push(event.data.name);
      names.set(event.data.file ?? '', stack);
    } else if (event.type === 'test:fail') {
      const error = event.data.details.error;
      // A suite fails because a test in it did: that test is listed itself.
      if (error.failureType === 'subtestsFailed') continue;
      const path = [...(names.get(event.data.file ?? '') ?? []).slice(0, event.data.nesting), event.data.name];
      const file = event.data.file ? `${sourceOf(relative(process.cwd(), event.data.file))}: ` : '';
      failures.push({ where: `${file}${path.join(' > ')}`, why: firstLine(error.cause ?? error) });
    }
  }
  if (failures.length === 0) return;
  const lines = [`# ${failures.length} failed ${failures.length === 1 ? 'test' : 'tests'} (details above, under "not ok"):`];
  for (const failure of failures) lines.push(`#   ${failure.where}`, `#       ${failure.why}`);
  yield `${lines.join('\n')}\n`;
}

/**
 * The test file a bundle was built from (test/build-tests.mjs):
 * .test-build/test/a.test.mjs is test/a.test.ts (.test-build-NAME/ for a bundle built elsewhere by a test).
 * @param {string} file
 */
function sourceOf(file) {
  const bundled = /^\.test-build[^/]*\/(.+)\.mjs$/.exec(file);
  return bundled ? `${bundled[1]}.ts` : file;
}

/** @param {unknown} error */
function firstLine(error) {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Assertion messages put the values on later lines: all in one line, cut short.
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}
