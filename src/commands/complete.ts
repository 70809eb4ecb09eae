import { Command } from 'commander';
import type { Context } from '../context.js';
import { COMPLETE_COMMAND, COMPLETE_TIMEOUT_SECONDS, type CompletionSource } from '../completion-sources.js';

/**
 * `osmo __complete SOURCE`: the words the completion scripts offer, one a
 * line. Never fails, never prompts and gives up after about a second: on any
 * trouble it prints nothing, and the shell simply offers nothing.
 */
export function completeCommand(getContext: () => Context): Command {
  return new Command(COMPLETE_COMMAND)
    .argument('<source>')
    .action(async (source: string) => {
      const ctx = getContext();
      const words = await withinTimeout(wordsOf(source, ctx).catch(() => []), COMPLETE_TIMEOUT_SECONDS * 1000);
      if (words.length) ctx.io.stdout.write(`${words.join('\n')}\n`);
    });
}

const SOURCES: Record<CompletionSource, (ctx: Context) => Promise<string[]>> = {
  servers: async (ctx) => Object.keys((await ctx.state()).servers),
  tokens: async (ctx) => {
    const { client } = await ctx.target();
    return (await client.listTokens()).map((t) => t.token_name);
  },
  // One page of the newest users: what an administrator completes is usually recent, and TAB must stay quick.
  users: async (ctx) => {
    const { client } = await ctx.target();
    return (await client.listUsers({ startIndex: 1, count: 1000 })).users.map((u) => u.id);
  },
};

function wordsOf(source: string, ctx: Context): Promise<string[]> {
  const words = Object.hasOwn(SOURCES, source) ? SOURCES[source as CompletionSource] : undefined;
  // Only names a shell may take as they are (the service checks its own, a state file could hold anything).
  return words ? words(ctx).then((list) => list.filter((w) => /^[\w@%+=:,./-]+$/.test(w))) : Promise.resolve([]);
}

/** The words, or none once `ms` have passed; main() then closes the connections that are still waiting. */
function withinTimeout(words: Promise<string[]>, ms: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), ms)));
  return Promise.race([words, late]).finally(() => clearTimeout(timer));
}
