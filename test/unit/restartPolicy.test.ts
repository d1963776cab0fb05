// The client's crash policy (client/src/restartPolicy.ts): exact crash times in, restart/stop decisions out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continueAfterConnectionError, CrashTracker, decisionForCrash, DEFAULT_LIMITS, stopMessage } from '../../client/src/restartPolicy';

const S = 1000;
const MIN = 60 * S;
/** Feeds crash times to a fresh tracker; returns 'restart'/'stop' and the in-window count for each. */
function run(times: number[], limits = DEFAULT_LIMITS): string[] {
  const t = new CrashTracker(limits);
  return times.map((now) => {
    const d = t.crashed(now);
    return `${d.action}:${d.crashesInWindow}`;
  });
}

test('default limits are 4 restarts in 3 minutes (what maxRestartCount: 4 gave before)', () => {
  assert.deepEqual(DEFAULT_LIMITS, { maxRestarts: 4, windowMs: 180000 });
});

test('a crash loop: 4 restarts, the 5th crash within 3 minutes stops the server with the reason', () => {
  assert.deepEqual(run([0, 1 * S, 2 * S, 3 * S, 4 * S]), ['restart:1', 'restart:2', 'restart:3', 'restart:4', 'stop:5']);
  const d = new CrashTracker();
  for (const t of [0, 1, 2, 3]) d.crashed(t * S);
  assert.deepEqual(d.crashed(4 * S), {
    action: 'stop',
    crashesInWindow: 5,
    message:
      'LLM Sizer: the language server crashed 5 times in 3 minutes and will not be restarted; diagnostics and reports stay stale until you run "Developer: Reload Window". The "LLM Sizer" output has the errors.',
  });
});

test('restarts are logged with the count and the limit', () => {
  assert.deepEqual(decisionForCrash([0], 10 * S), {
    action: 'restart',
    crashesInWindow: 2,
    message: 'LLM Sizer: the language server exited unexpectedly (crash 2 of 4 allowed in 3 minutes); restarting it.',
  });
});

test('the window is inclusive: a crash exactly 3 minutes earlier still counts, 1 ms more and it does not', () => {
  assert.deepEqual(run([0, 1 * MIN, 2 * MIN, 179999, 180000]), ['restart:1', 'restart:2', 'restart:3', 'restart:4', 'stop:5']);
  assert.deepEqual(run([0, 1 * MIN, 2 * MIN, 179999, 180001]), ['restart:1', 'restart:2', 'restart:3', 'restart:4', 'restart:4']);
});

test('an occasional crash restarts forever; a steady crash every 45 s stops at the 5th', () => {
  // Every 50 s: at most 4 crashes (now, -50, -100, -150 s) fall in any 180 s window.
  const every50 = Array.from({ length: 20 }, (_, i) => i * 50 * S);
  assert.deepEqual(run(every50), ['restart:1', 'restart:2', 'restart:3', ...Array(17).fill('restart:4')]);
  // Every 45 s: the 5th crash (t = 180 s) sees 0, 45, 90, 135, 180 in the window.
  assert.deepEqual(run([0, 45, 90, 135, 180].map((x) => x * S)), ['restart:1', 'restart:2', 'restart:3', 'restart:4', 'stop:5']);
});

test('earlier crash times may come in any order; times after now are ignored', () => {
  assert.equal(decisionForCrash([3 * S, 0, 2 * S, 1 * S], 4 * S).action, 'stop');
  assert.deepEqual(decisionForCrash([5 * S, 6 * S, 7 * S, 8 * S], 4 * S), {
    action: 'restart',
    crashesInWindow: 1,
    message: 'LLM Sizer: the language server exited unexpectedly (crash 1 of 4 allowed in 3 minutes); restarting it.',
  });
});

test('other limits: no restarts at all, and a window in seconds', () => {
  assert.deepEqual(decisionForCrash([], 0, { maxRestarts: 0, windowMs: MIN }), { action: 'stop', crashesInWindow: 1, message: stopMessage(1, MIN) });
  assert.match(stopMessage(1, MIN), /crashed 1 time in 1 minute and/);
  assert.deepEqual(run([0, 10 * S, 41 * S], { maxRestarts: 1, windowMs: 30 * S }), ['restart:1', 'stop:2', 'restart:1']);
  assert.match(stopMessage(2, 30 * S), /crashed 2 times in 30 seconds and/);
});

test('the tracker keeps only crashes inside the window', () => {
  const t = new CrashTracker();
  for (let i = 0; i < 1000; i++) t.crashed(i * 10 * MIN);
  assert.equal((t as unknown as { times: number[] }).times.length, 1);
});

test('connection errors: continue for the first 3 in a row, then shut down', () => {
  assert.deepEqual([undefined, 0, 1, 2, 3, 4, 100].map(continueAfterConnectionError), [false, false, true, true, true, false, false]);
});
