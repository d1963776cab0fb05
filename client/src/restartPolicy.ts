// When the language server crashes: restart it, or stop and say why. Pure (no `vscode` import, the clock is
// passed in) so the decisions are unit-tested with exact crash times; extension.ts maps them to
// vscode-languageclient's CloseAction/ErrorAction.

export interface RestartLimits {
  /** Restarts allowed inside the window; the crash after that many stops the server. */
  maxRestarts: number;
  /** Length of the sliding window in milliseconds. */
  windowMs: number;
}

/** A crash loop (say, a plan that crashes the server on every open) should not restart forever: 4 restarts in 3 minutes. */
export const DEFAULT_LIMITS: RestartLimits = { maxRestarts: 4, windowMs: 3 * 60 * 1000 };

export type CrashDecision = { action: 'restart'; crashesInWindow: number; message: string } | { action: 'stop'; crashesInWindow: number; message: string };

const span = (ms: number) => (ms % 60000 === 0 ? `${ms / 60000} minute${ms === 60000 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`);

/** Why the server stays stopped, and what the user can do about it (shown as an error notification). */
export function stopMessage(crashes: number, windowMs: number): string {
  return `LLM Sizer: the language server crashed ${crashes} time${crashes === 1 ? '' : 's'} in ${span(windowMs)} and will not be restarted; diagnostics and reports stay stale until you run "Developer: Reload Window". The "LLM Sizer" output has the errors.`;
}

/** Logged to the output channel only: a single crash is recovered from without interrupting the user. */
export function restartMessage(crashes: number, limits: RestartLimits): string {
  return `LLM Sizer: the language server exited unexpectedly (crash ${crashes} of ${limits.maxRestarts} allowed in ${span(limits.windowMs)}); restarting it.`;
}

/**
 * The decision for a crash at `now`, given the earlier crash times (milliseconds, any order). Crashes at
 * most `windowMs` before `now` count (the window is inclusive, as in vscode-languageclient's default
 * handler); the server restarts while the count, including this crash, is at most `maxRestarts`.
 */
export function decisionForCrash(earlier: readonly number[], now: number, limits: RestartLimits = DEFAULT_LIMITS): CrashDecision {
  const crashesInWindow = earlier.filter((t) => t <= now && now - t <= limits.windowMs).length + 1;
  if (crashesInWindow <= limits.maxRestarts) return { action: 'restart', crashesInWindow, message: restartMessage(crashesInWindow, limits) };
  return { action: 'stop', crashesInWindow, message: stopMessage(crashesInWindow, limits.windowMs) };
}

/** Crash history of one client: records each crash and returns the decision for it. */
export class CrashTracker {
  private times: number[] = [];
  constructor(readonly limits: RestartLimits = DEFAULT_LIMITS) {}

  crashed(now: number): CrashDecision {
    const d = decisionForCrash(this.times, now, this.limits);
    // Only crashes still inside the window can matter later; the list stays bounded by maxRestarts + 1.
    this.times = [...this.times.filter((t) => now - t <= this.limits.windowMs), now];
    return d;
  }
}

/**
 * A read or write error on the connection: keep going for the first 3 in a row (the count resets on any
 * successful message), then shut the connection down, which ends in a close and so in `decisionForCrash`.
 */
export function continueAfterConnectionError(count: number | undefined): boolean {
  return !!count && count <= 3;
}
