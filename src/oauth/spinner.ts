import type { IO } from '../io.js';
import { onInterrupt } from '../interrupt.js';

const FRAMES = ['|', '/', '-', '\\'];

/** A one-line spinner on stderr, only where a person watches it: logs and pipes stay clean. */
export function startSpinner(io: IO, text: string): { stop(): void } {
  if (!io.stderrIsTTY) return { stop: () => {} };
  let frame = 0;
  const draw = (): void => void io.stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 120);
  timer.unref();
  const erase = (): void => void io.stderr.write('\r\x1b[K');
  // Ctrl-C must not leave half a spinner line before `Interrupted`.
  const forget = onInterrupt(erase);
  return {
    stop: () => {
      forget();
      clearInterval(timer);
      erase();
    },
  };
}
