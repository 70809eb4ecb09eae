// STYLE.md: every import points down. A cycle among src/ modules (type-only
// imports included) fails here, naming the modules that form it. Modules that
// load heavy built-ins are kept off the paths that do not need them: in the
// one-file bundle a static import runs when its importer loads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

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

  it('the cycle check finds a cycle when there is one', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    assert.deepEqual(cycles(graph), [['a.ts', 'b.ts', 'c.ts']]);
  });
});
