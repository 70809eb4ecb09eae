// STYLE.md: every import points down. The layers of src/ are written down
// here, once (LAYERS); an import that runs back up (type-only imports
// included) fails, naming both files and the rule it breaks. A cycle among
// src/ modules fails too, naming the modules that form it. Modules that load
// heavy built-ins are kept off the paths that do not need them: in the
// one-file bundle a static import runs when its importer loads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** The layers of src/, top to bottom: a module imports from its own layer and those below it, never from one above. */
const LAYER_ORDER = ['entry', 'commands', 'wiring', 'login', 'session', 'oauth', 'services', 'api', 'transport', 'base'] as const;
type Layer = (typeof LAYER_ORDER)[number];

/** Every folder and top-level module of src/, its layer, and what lives there (README.md, "Working on osmo", summarises it). */
const LAYERS: ReadonlyArray<readonly [path: string, layer: Layer, what: string]> = [
  ['cli.ts', 'entry', "the bundle's entry: stop signals, closed pipes, the process's exit code"],
  ['program.ts', 'entry', 'the command tree and main(argv, io, env), the one place that maps errors to exit codes'],
  ['help-pages.ts', 'entry', 'every --help page, rendered at build time into dist/help.json for bin/osmo'],
  ['commands/', 'commands', 'one file per command: declare it, parse its flags, call the layers below, print'],
  ['command-setup.ts', 'commands', 'what every command shares: help layout, error output, suggestions for typos'],
  ['help-topics.ts', 'commands', 'the `osmo help TOPIC` pages'],
  ['help-wrap.ts', 'commands', 'wraps help text to the terminal'],
  ['suggest.ts', 'commands', '"did you mean": the nearest command or flag to a typo'],
  ['completion-sources.ts', 'commands', 'what shell completion may offer for an argument (stored servers, …)'],
  ['output.ts', 'commands', 'how commands print: -t json, new tokens, role lines, --output-file'],
  ['login-report.ts', 'commands', 'one login as `osmo whoami` and `osmo status` print it'],
  ['validate.ts', 'commands', "checks of flag values (token names, dates, user IDs) before any request"],
  ['context.ts', 'wiring', 'the one place that creates real dependencies (HTTP, stores, lock, clock), each on first use'],
  ['login/', 'login', 'logging in: the method, reading its flags and secrets, the login itself, saving it'],
  ['session/', 'session', 'stored logins: a valid JWT (renewal under the lock), switch, logout, status'],
  ['oauth/', 'oauth', 'the OAuth protocol: discovery, device code, PKCE with its browser page, refresh, revoke'],
  ['services.ts', 'services', 'the roles the wiring plays for the layers above (output, settings, network, files), as interfaces'],
  ['api/', 'api', 'the OSMO service: one typed method per endpoint, every answer checked'],
  ['tokens/', 'api', 'personal access tokens: expiry, durations, rotation, error hints'],
  ['users/', 'api', 'user administration: paging, role changes, admin-only errors'],
  ['store/', 'api', 'where secrets are kept: the OS keychain or credentials.json'],
  ['http/', 'transport', 'the Transport: timeouts, retries, proxy, CA certificates, redaction, network errors'],
  ['config/', 'transport', 'the config directory: where it is, who may read it, state.json and the lock that guards it'],
  ['util/', 'base', 'small helpers every layer may use: dates, tables, URLs, secret and output files, display text'],
  ['startup/', 'base', 'the V8 code cache that bin/osmo loads the bundle with'],
  ['errors.ts', 'base', 'the typed errors and the exit codes of SPEC.md'],
  ['io.ts', 'base', 'injected IO: stdin, stdout, stderr and whether they are terminals'],
  ['interrupt.ts', 'base', 'Ctrl-C and SIGTERM: clean-ups, and ending by the signal'],
  ['prompt.ts', 'base', 'questions at the terminal, and standard input read whole'],
  ['debug-env.ts', 'base', 'OSMO_DEBUG, read in one place'],
];

/** The layer of a module (a path relative to src/), from LAYERS; undefined when LAYERS does not name it. */
function layerOf(module: string): Layer | undefined {
  return LAYERS.find(([path]) => (path.endsWith('/') ? module.startsWith(path) : module === path))?.[1];
}

/** Every import that runs back up: `from → to: rule`, in the order found. */
function backArrows(graph: Map<string, string[]>, layer: (module: string) => Layer | undefined = layerOf): string[] {
  const rank = (l: Layer): number => LAYER_ORDER.indexOf(l);
  const found: string[] = [];
  for (const [from, targets] of graph) {
    const own = layer(from);
    if (own === undefined) {
      found.push(`${from}: not in LAYERS (test/import-graph.test.ts); give its folder a layer`);
      continue;
    }
    for (const to of new Set(targets)) {
      const theirs = layer(to);
      if (theirs !== undefined && rank(theirs) < rank(own)) found.push(`${from} → ${to}: ${own} may not import from ${theirs}, which is above it (${LAYER_ORDER.join(' → ')})`);
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const specifier = /(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)\.js'/g;
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(specifier)].map((m) => relative(SRC, resolve(dirname(file), `${m[1]}.ts`)));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** What `file` imports statically and for its values: what runs when it loads (not `import type`, not `import()`). */
function staticImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const specifier = /^(?:import|export)(?!\s+type\b)[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)\.js'|^import\s+'(\.{1,2}\/[^']+)\.js'/gm;
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(specifier)].map((m) => relative(SRC, resolve(dirname(file), `${m[1] ?? m[2]}.ts`)));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** Every module that runs when `from` loads. */
function loadedWith(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (v: string): void => {
    for (const w of graph.get(v) ?? []) {
      if (!seen.has(w)) {
        seen.add(w);
        visit(w);
      }
    }
  };
  visit(from);
  return seen;
}

/** Tarjan's strongly connected components with more than one member (or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

describe('module structure', () => {
  it('src/ has no import cycles', () => {
    const graph = importGraph();
    assert.ok(graph.size > 20, `found only ${graph.size} modules under ${SRC}`);
    assert.deepEqual(cycles(graph), []);
  });

  it('an OAuth login loads the browser login (node:http, node:child_process) only when it is the one made', () => {
    const graph = staticImports();
    assert.ok(graph.get('oauth/pkce-flow.ts')?.includes('oauth/open-browser.ts'), 'the static-import reader finds pkce-flow.ts importing open-browser.ts');
    assert.ok(importGraph().get('login/oauth-login.ts')?.includes('oauth/pkce-flow.ts'), 'oauth-login.ts imports pkce-flow.ts, with import()');
    const loaded = loadedWith(graph, 'login/oauth-login.ts');
    for (const lazy of ['oauth/pkce-flow.ts', 'oauth/open-browser.ts', 'oauth/callback-server.ts']) {
      assert.ok(!loaded.has(lazy), `login/oauth-login.ts loads ${lazy} statically; import it with import() where it is needed`);
    }
  });

  it('every import points down the layers (type-only imports too)', () => {
    const graph = importGraph();
    assert.ok(graph.get('services.ts')?.includes('api/client.ts'), 'the import reader sees type-only imports (services.ts imports a type of api/client.ts)');
    assert.deepEqual(backArrows(graph), []);
  });

  it('the layer check finds an arrow that runs back up, and a module without a layer', () => {
    const graph = new Map([
      ['commands/status.ts', ['context.ts', 'session/login-status.ts']],
      ['session/login-status.ts', ['config/state.ts', 'commands/status.ts']],
      ['config/state.ts', ['util/atomic-write.ts']],
      ['util/atomic-write.ts', []],
      ['stray/thing.ts', ['util/atomic-write.ts']],
    ]);
    assert.deepEqual(backArrows(graph), [
      'session/login-status.ts → commands/status.ts: session may not import from commands, which is above it (entry → commands → wiring → login → session → oauth → services → api → transport → base)',
      'stray/thing.ts: not in LAYERS (test/import-graph.test.ts); give its folder a layer',
    ]);
  });

  it('the cycle check finds a cycle when there is one', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    assert.deepEqual(cycles(graph), [['a.ts', 'b.ts', 'c.ts']]);
  });
});
