import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { HELP_TOPICS } from '../help-topics.js';

/**
 * `osmo help [COMMAND…]` shows that command's page (`osmo help token set`,
 * where commander's own help command stops at `token`), and `osmo help
 * TOPIC` a page that belongs to no command.
 */
export function helpCommand(): Command {
  const topics = Object.entries(HELP_TOPICS).map(([name, t]) => `  osmo help ${name.padEnd(12)} ${t.summary}`);
  return new Command('help')
    .description(`Show help for a command, or a topic: ${Object.keys(HELP_TOPICS).join(', ')}`)
    .argument('[command...]', 'a command (token set), or a topic')
    .addHelpText('after', ['', 'Topics:', ...topics, '', 'Examples:', '  $ osmo help token set', '  $ osmo help environment', '  $ osmo help exit-codes'].join('\n'))
    .action(function (this: Command, words: string[]) {
      const root = this.parent!;
      const topic = words.length === 1 ? HELP_TOPICS[words[0]!] : undefined;
      // Written as commander writes help, so it wraps to the terminal in the same way.
      if (topic) return root.configureOutput().writeOut!(topic.text);
      let cmd = root;
      for (const word of words) {
        const next = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!next) {
          throw new UsageError(`no command or help topic "${words.join(' ')}"`, `\`osmo --help\` lists the commands; the topics are ${Object.keys(HELP_TOPICS).join(', ')}`);
        }
        cmd = next;
      }
      cmd.outputHelp();
    });
}
