// Ctrl-C and termination. A shell decides whether to stop a list or a loop
// (`osmo login …; echo AFTER`, `for …; do osmo …; done`) by how its child
// ended: only a child killed by SIGINT stops it. So osmo never turns a signal
// into `exit(130)`: it tidies up, prints `Interrupted`, and lets the signal
// end the process. Every write osmo makes is atomic, so ending at once leaves
// the previous state and stores nothing new.

export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: StopSignal[] = ['SIGINT', 'SIGTERM'];
const cleanups = new Set<() => void>();
const lastWords = new Set<() => void>();

/**
 * Registers `fn` to run if the process is interrupted; returns its removal.
 * By default it runs before `Interrupted` is printed (a terminal left in raw
 * mode, a spinner line); with `afterNotice`, after it (what the user must
 * know about the work that was cut short).
 */
export function onInterrupt(fn: () => void, opts: { afterNotice?: boolean } = {}): () => void {
  const set = opts.afterNotice ? lastWords : cleanups;
  set.add(fn);
  return () => void set.delete(fn);
}

function runAll(set: Set<() => void>): void {
  for (const fn of [...set]) {
    try {
      fn();
    } catch {
      /* tidying up must not keep the process from ending */
    }
  }
  set.clear();
}

/** Installed once at start-up, before any command runs. */
export function handleStopSignals(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function onSignal(signal: StopSignal): void {
  endBySignal(signal);
}

/**
 * Runs the cleanups, prints `Interrupted`, restores the default action of
 * the signal and raises it again. `fromKeyboard` is Ctrl-C read by a hidden
 * prompt: the terminal was in raw mode and signalled nobody, so the signal
 * goes to the whole foreground process group, as the terminal would have
 * sent it (a calling shell then stops too).
 */
export function endBySignal(signal: StopSignal, opts: { fromKeyboard?: boolean } = {}): void {
  runAll(cleanups);
  // After ^C the cursor stands after the terminal's echo; a prompt has already ended its line.
  process.stderr.write(opts.fromKeyboard ? 'Interrupted\n' : '\nInterrupted\n');
  runAll(lastWords);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  if (opts.fromKeyboard) {
    // The rest of the group gets it now; this process ends just below.
    process.on(signal, ignore);
    process.kill(0, signal);
    process.removeListener(signal, ignore);
  }
  // The lock library (through signal-exit) listens too. Once it is the only
  // listener it releases any lock this process holds, synchronously, and
  // raises the signal itself; otherwise the default action now applies.
  for (const other of process.listeners(signal)) other(signal);
  process.kill(process.pid, signal);
}

function ignore(): void {}
