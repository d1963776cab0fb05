// When each document's validation runs, in event-loop turns rather than milliseconds (no fixed debounce).
//
// vscode-jsonrpc handles one queued message per event-loop turn and writes each reply a turn later (its write
// semaphore). So a validation starts, and each of its steps (one `---` document) follows, `turns` turns after the
// last: a request that arrived meanwhile is handled and its reply written first; a burst of queued edits replaces the
// validation before it began (counted as skipped); a newer version abandons it. A reply still to be written holds the
// next step back, at most `maxWait` turns, so a stream of requests cannot hold diagnostics back for good.
//
// The event loop is injected: the server passes setImmediate/clearImmediate, the tests a fake loop they turn by hand.

/** One deferred callback per handle; `defer` runs `fn` in a later turn, `cancel` drops it if it has not run. */
export interface EventLoop<H = unknown> {
  defer(fn: () => void): H;
  cancel(handle: H): void;
}

export interface ValidationStats {
  scheduled: number;
  /** Validations replaced by a newer version before their first step. */
  skippedStale: number;
}

export interface SchedulerOptions {
  /** Turns between a change (or a step) and the next step: 3 lets one queued request and its reply go first. */
  turns?: number;
  /** Turns a step may wait for replies to be written. */
  maxWait?: number;
}

/** The step callback: validate one more `---` document of `uri` at `version`; 'more' while work is left. */
export type ValidationStep = (uri: string, version: number) => 'more' | 'done';

export class ValidationScheduler<H = unknown> {
  readonly stats: ValidationStats = { scheduled: 0, skippedStale: 0 };
  private readonly pending = new Map<string, { timer: H; begun: boolean }>();
  private repliesPending = 0;
  private readonly turns: number;
  private readonly maxWait: number;

  constructor(
    private readonly loop: EventLoop<H>,
    private readonly step: ValidationStep,
    options: SchedulerOptions = {},
  ) {
    this.turns = Math.max(1, options.turns ?? 3);
    this.maxWait = Math.max(0, options.maxWait ?? 16);
  }

  /** A new version of a document (or a reload): validate it, replacing any validation of an older version. */
  schedule(uri: string, version: number): void {
    const old = this.pending.get(uri);
    if (old) {
      this.loop.cancel(old.timer);
      if (!old.begun) this.stats.skippedStale++;
    }
    this.stats.scheduled++;
    this.afterTurns(uri, version, false, this.turns);
  }

  /** The document closed: drop its validation. */
  cancel(uri: string): void {
    const p = this.pending.get(uri);
    if (p) this.loop.cancel(p.timer);
    this.pending.delete(uri);
  }

  /** A request was answered: its reply is written in the next turn and is out the turn after. */
  replyComing(): void {
    this.repliesPending++;
    this.loop.defer(() => this.loop.defer(() => this.repliesPending--));
  }

  /** Whether a validation of `uri` is waiting or in progress. */
  isPending(uri: string): boolean {
    return this.pending.has(uri);
  }

  private afterTurns(uri: string, version: number, begun: boolean, turns: number): void {
    const timer = this.loop.defer(() => (turns > 1 ? this.afterTurns(uri, version, begun, turns - 1) : this.run(uri, version, 0)));
    this.pending.set(uri, { begun, timer });
  }

  private run(uri: string, version: number, waited: number): void {
    if (this.repliesPending > 0 && waited < this.maxWait) {
      const begun = this.pending.get(uri)?.begun ?? false;
      this.pending.set(uri, { begun, timer: this.loop.defer(() => this.run(uri, version, waited + 1)) });
      return;
    }
    this.pending.delete(uri);
    if (this.step(uri, version) === 'more') this.afterTurns(uri, version, true, this.turns);
  }
}
