/** Runs `fn` while holding the cross-process lock of one config directory. */
export type Lock = <T>(fn: () => Promise<T>) => Promise<T>;

/** For callers with nothing to share (CI mode keeps everything in memory). */
export const noLock: Lock = (fn) => fn();
