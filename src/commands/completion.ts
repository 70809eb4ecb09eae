import { Argument, Command, type Help, type Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { ARGUMENT_SOURCES, COMPLETE_COMMAND, COMPLETE_TIMEOUT_SECONDS, type CompletionSource } from '../completion-sources.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export function completionCommand(getContext: () => Context): Command {
  return new Command('completion')
    .description('Print a shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
    .addHelpText(
      'after',
      [
        '',
        'It completes commands, flags and their values, the servers you are logged in',
        'to (login, logout, status, switch) and, asking the service for at most about',
        'a second, your token names (token delete, roles, rotate).',
        '',
        'Install it:',
        '  bash  add `source <(osmo completion bash)` to ~/.bashrc, or save it as',
        '        ~/.local/share/bash-completion/completions/osmo',
        '  zsh   save it as _osmo in a directory of $fpath, then start a new shell;',
        '        or add `source <(osmo completion zsh)` to ~/.zshrc after compinit',
        '  fish  save it as ~/.config/fish/completions/osmo.fish',
        '',
        'Examples:',
        '  $ source <(osmo completion bash)',
        '  $ osmo completion bash > ~/.local/share/bash-completion/completions/osmo',
        '  $ osmo completion zsh > "${fpath[1]}/_osmo"',
        '  $ osmo completion fish > ~/.config/fish/completions/osmo.fish',
      ].join('\n'),
    )
    .action(function (this: Command, shell: Shell) {
      const root = rootOf(this);
      getContext().io.stdout.write(completionScript(shell, describeTree(root)));
    });
}

/** What the scripts need to know about one command; generated from the live tree so it never drifts. */
export interface CommandSpec {
  /** Names from the root, e.g. ['osmo', 'token', 'set']. */
  path: string[];
  description: string;
  subcommands: CommandSpec[];
  options: OptionSpec[];
  /** Fixed choices of the first positional argument, if any. */
  argChoices: string[];
  /** Other names of the command (`rm` for `token delete`): typed, they lead to it. */
  aliases: string[];
  /** Where the words for the first argument come from when they are the user's own (src/completion-sources.ts). */
  argSource?: CompletionSource;
}

export interface OptionSpec {
  flags: string[];
  description: string;
  takesValue: boolean;
  choices: string[];
  /** The value names a file (e.g. --token-file <file>). */
  file: boolean;
}

export function describeTree(cmd: Command, help: Help = cmd.createHelp(), parent: string[] = [], inherited: OptionSpec[] = []): CommandSpec {
  const path = [...parent, cmd.name()];
  const visible = help.visibleCommands(cmd).filter((c) => c.name() !== 'help');
  const own = help.visibleOptions(cmd).map(optionSpec);
  // Options of a parent (--debug) work after a subcommand too; --help and --version are per command.
  const passedDown = [...inherited, ...own.filter((o) => !o.flags.includes('--help') && !o.flags.includes('--version'))];
  return {
    path,
    description: cmd.description(),
    subcommands: visible.map((c) => describeTree(c, help, path, passedDown)),
    options: [...own, ...inherited],
    argChoices: cmd.registeredArguments[0]?.argChoices ?? [],
    aliases: cmd.aliases(),
    argSource: ARGUMENT_SOURCES[path.slice(1).join(' ')],
  };
}

function optionSpec(o: Option): OptionSpec {
  return {
    flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
    file: /<[^>]*file[^>]*>/.test(o.flags),
  };
}

export function completionScript(shell: Shell, tree: CommandSpec): string {
  switch (shell) {
    case 'bash':
      return bashScript(tree);
    case 'zsh':
      return zshScript(tree);
    case 'fish':
      return fishScript(tree);
    default:
      throw new UsageError(`unsupported shell "${String(shell)}"`, `use one of ${SHELLS.join(', ')}`);
  }
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

function all(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(all)];
}

/** A word safe inside single quotes in every shell we target. */
function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

interface WordSource {
  /** Index of the first word after the program name, and the variable holding the current word's index. */
  from: number;
  to: string;
  /** The shell expression for word i. */
  word: string;
  /** bash splits --opt=value at "=", so a lone "=" can follow an option that takes a value. */
  skipAfterEquals: boolean;
}

/**
 * The part of the bash and zsh scripts that is the same in both: walk the
 * words typed so far, skipping options (and the value of an option that takes
 * one) and descending into subcommands, to find which command is being
 * completed; then set the candidates for the current word.
 */
function walkWords(tree: CommandSpec, valueCases: string[], wordCases: string[], src: WordSource): string {
  const { descend, skipValue } = walkCases(tree, '        ');
  const skipped = src.skipAfterEquals
    ? `    if ((skip)); then
      [[ "$w" == "=" ]] && continue
      skip=0; prev=""; continue
    fi`
    : `    if ((skip)); then skip=0; prev=""; continue; fi`;
  return `  for ((i = ${src.from}; i < ${src.to}; i++)); do
    w="${src.word}"
${skipped}
    case "$w" in
      -*=*) prev=""; continue ;;
      -*)
        prev="$w"
        case "$cmd $w" in
${skipValue}
        esac
        continue ;;
    esac
    prev=""
    case "$cmd $w" in
${descend}
    esac
  done
  ((skip)) || prev=""
  case "$cmd $prev" in
${valueCases.join('\n')}
  esac
  case "$cmd" in
${wordCases.join('\n')}
  esac`;
}

function walkCases(tree: CommandSpec, indent: string): { descend: string; skipValue: string } {
  const cmds = all(tree);
  const descend = cmds
    .flatMap((c) => c.subcommands.map((s) => `${indent}  ${[s.path.at(-1)!, ...s.aliases].map((n) => sq(`${c.path.join(' ')} ${n}`)).join('|')}) cmd=${sq(s.path.join(' '))} ;;`))
    .join('\n');
  const valued = cmds.flatMap((c) => c.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map((f) => `${c.path.join(' ')} ${f}`)));
  const skipValue = valued.length ? `${indent}  ${valued.map(sq).join('|')}) skip=1 ;;` : '';
  return { descend, skipValue };
}

/** `case` arms for the word after an option that takes a value: its choices, a file name, or nothing to offer. */
function optionValueCases(cmds: CommandSpec[], choose: (choices: string[]) => string, file: string, none: string): string[] {
  const keys = (c: CommandSpec, o: OptionSpec): string[] => o.flags.map((f) => sq(`${c.path.join(' ')} ${f}`));
  const valued = cmds.flatMap((c) => c.options.filter((o) => o.takesValue).map((o) => ({ c, o })));
  const arms = valued.filter(({ o }) => o.choices.length).map(({ c, o }) => `    ${keys(c, o).join('|')}) ${choose(o.choices)}; return ;;`);
  const files = valued.filter(({ o }) => !o.choices.length && o.file).flatMap(({ c, o }) => keys(c, o));
  const free = valued.filter(({ o }) => !o.choices.length && !o.file).flatMap(({ c, o }) => keys(c, o));
  if (files.length) arms.push(`    ${files.join('|')}) ${file}; return ;;`);
  if (free.length) arms.push(`    ${free.join('|')}) ${none}; return ;;`);
  return arms;
}

function bashScript(tree: CommandSpec): string {
  const cmds = all(tree);
  const valueCases = optionValueCases(cmds, (choices) => `COMPREPLY=($(compgen -W ${sq(choices.join(' '))} -- "$cur"))`, 'COMPREPLY=($(compgen -f -- "$cur"))', 'COMPREPLY=()');

  const wordCases = cmds.map((c) => {
    const words = c.subcommands.length ? c.subcommands.map((s) => s.path.at(-1)!) : c.argChoices;
    const opts = c.options.flatMap((o) => o.flags);
    return `    ${sq(c.path.join(' '))}) words=${sq(words.join(' '))}; opts=${sq(opts.join(' '))}${c.argSource ? `; source=${c.argSource}` : ''} ;;`;
  });
  return `# bash completion for ${tree.path[0]}; generated by \`${tree.path[0]} completion bash\`.
# Load it now with: source <(${tree.path[0]} completion bash)
_${tree.path[0]}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd=${sq(tree.path[0]!)} w i skip=0 words="" opts="" source=""
  COMPREPLY=()
  # bash splits --opt=value at "=" (COMP_WORDBREAKS): the "=" is part of the option.
  [[ "$cur" == "=" ]] && cur=""
${walkWords(tree, valueCases, wordCases, { from: 1, to: 'COMP_CWORD', word: '${COMP_WORDS[i]}', skipAfterEquals: true })}
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -n "$source" ]]; then
    # bash splits a URL into words at ":" (COMP_WORDBREAKS): complete the whole
    # word as typed, then give bash only the part after its last ":".
    local typed="\${COMP_LINE:0:COMP_POINT}"
    typed="\${typed##*[[:space:]]}"
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$(${dynamicWords(tree.path[0]!, '"$source"')})" -- "$typed"))
    if [[ "$typed" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
      local colon="\${typed%"\${typed##*:}"}"
      for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="\${COMPREPLY[i]#"$colon"}"; done
    fi
  elif [[ -n "$words" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -F _${tree.path[0]}_complete ${tree.path[0]}
`;
}

function zshScript(tree: CommandSpec): string {
  const name = tree.path[0]!;
  const cmds = all(tree);
  const esc = (text: string): string => text.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  const valueCases = optionValueCases(cmds, (choices) => `compadd -- ${choices.map(sq).join(' ')}`, '_files', ':');

  const wordCases = cmds.map((c) => {
    const subs = c.subcommands.map((s) => sq(`${esc(s.path.at(-1)!)}:${esc(s.description)}`));
    const opts = c.options.flatMap((o) => o.flags.map((f) => sq(`${esc(f)}:${esc(o.description)}`)));
    return `    ${sq(c.path.join(' '))}) subs=(${subs.join(' ')}); opts=(${opts.join(' ')}); choices=(${c.argChoices.map(sq).join(' ')})${c.argSource ? `; source=${c.argSource}` : ''} ;;`;
  });
  return `#compdef ${name}
# zsh completion for ${name}; generated by \`${name} completion zsh\`.
# Save it as _${name} in a directory of $fpath, or load it now with: source <(${name} completion zsh)
_${name}() {
  local cmd=${sq(name)} w i skip=0 prev="" source=""
  local -a subs opts choices
${walkWords(tree, valueCases, wordCases, { from: 2, to: 'CURRENT', word: '${words[i]}', skipAfterEquals: false })}
  if [[ "$PREFIX" == -* ]]; then
    _describe -t options option opts
  elif ((\${#subs})); then
    _describe -t commands command subs
  elif ((\${#choices})); then
    compadd -- "\${choices[@]}"
  elif [[ -n "$source" ]]; then
    choices=(\${(f)"$(${dynamicWords(name, '$source')})"})
    compadd -- "\${choices[@]}"
  fi
}
if [[ "\${funcstack[1]}" == "_${name}" ]]; then
  _${name} "$@"
else
  compdef _${name} ${name}
fi
`;
}

function fishScript(tree: CommandSpec): string {
  const name = tree.path[0]!;
  const lines = [`# fish completion for ${name}; generated by \`${name} completion fish\`.`, `complete -c ${name} -f`];
  for (const c of all(tree)) {
    const chain = namesAlong(tree, c.path.slice(1));
    const here = fishCondition(chain, c.subcommands.flatMap((s) => [s.path.at(-1)!, ...s.aliases]));
    for (const s of c.subcommands) lines.push(`complete -c ${name} -n ${sq(here)} -a ${sq(s.path.at(-1)!)} -d ${sq(s.description)}`);
    if (c.argChoices.length) lines.push(`complete -c ${name} -n ${sq(here)} -a ${sq(c.argChoices.join(' '))}`);
    if (c.argSource) lines.push(`complete -c ${name} -n ${sq(here)} -a ${sq(`(${dynamicWords(name, c.argSource)})`)}`);
    const within = fishCondition(chain, []);
    for (const o of c.options) {
      const flags = o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
      const value = o.choices.length ? ` -x -a ${sq(o.choices.join(' '))}` : o.file ? ' -r -F' : o.takesValue ? ' -x' : '';
      lines.push(`complete -c ${name} -n ${sq(within)} ${flags}${value} -d ${sq(o.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** For each command along `path` from the root, its name and aliases. */
function namesAlong(tree: CommandSpec, path: string[]): string[][] {
  const out: string[][] = [];
  let spec = tree;
  for (const word of path) {
    spec = spec.subcommands.find((s) => s.path.at(-1) === word)!;
    out.push([word, ...spec.aliases]);
  }
  return out;
}

/**
 * The command that prints the words of a completion source: bounded in time,
 * its standard input closed so that it can never ask for anything, and its
 * errors unseen (on any failure it offers nothing).
 */
function dynamicWords(name: string, source: string): string {
  return `env OSMO_HTTP_TIMEOUT=${COMPLETE_TIMEOUT_SECONDS} ${name} ${COMPLETE_COMMAND} ${source} </dev/null 2>/dev/null`;
}

// True when the words typed so far name exactly this command (and, for a
// parent, none of its subcommands yet).
function fishCondition(chain: string[][], subs: string[]): string {
  if (!chain.length) return '__fish_use_subcommand';
  const parts = chain.map((names) => `__fish_seen_subcommand_from ${names.join(' ')}`);
  if (subs.length) parts.push(`not __fish_seen_subcommand_from ${subs.join(' ')}`);
  return parts.join('; and ');
}
