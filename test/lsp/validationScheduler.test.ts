// The language server's validation scheduler on a fake event loop turned by hand: which turn each validation step
// runs in follows from the rules alone (3 turns after a change or a step; replies written first, at most 16 turns).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationScheduler } from '../../server/src/lsp/validationScheduler';

/** setImmediate semantics: a callback deferred during turn n runs in turn n + 1, in the order deferred. */
class FakeLoop {
  turn = 0;
  private queue: { id: number; fn: () => void }[] = [];
  private next = 0;
  /** Cancelled ids: a callback of the current turn that is cancelled before it runs does not run (clearImmediate). */
  private cancelled = new Set<number>();
  defer = (fn: () => void): number => {
    const id = this.next++;
    this.queue.push({ id, fn });
    return id;
  };
  cancel = (id: number): void => {
    this.cancelled.add(id);
  };
  /** Runs one turn: the callbacks queued before it started. */
  tick(): void {
    this.turn++;
    const now = this.queue;
    this.queue = [];
    for (const c of now) if (!this.cancelled.has(c.id)) c.fn();
  }
  run(turns: number): void {
    for (let i = 0; i < turns; i++) this.tick();
  }
}

function setup(stepsPerValidation = 1) {
  const loop = new FakeLoop();
  const calls: { turn: number; uri: string; version: number }[] = [];
  const left = new Map<string, number>();
  const scheduler = new ValidationScheduler<number>({ defer: loop.defer, cancel: loop.cancel }, (uri, version) => {
    calls.push({ turn: loop.turn, uri, version });
    const n = (left.get(`${uri}@${version}`) ?? stepsPerValidation) - 1;
    left.set(`${uri}@${version}`, n);
    return n > 0 ? 'more' : 'done';
  });
  return { loop, calls, scheduler };
}

test('a change is validated exactly 3 turns later, not before', () => {
  const { loop, calls, scheduler } = setup();
  scheduler.schedule('a', 1);
  loop.run(2);
  assert.deepEqual(calls, []);
  loop.run(1);
  assert.deepEqual(calls, [{ turn: 3, uri: 'a', version: 1 }]);
  assert.equal(scheduler.isPending('a'), false);
  assert.deepEqual(scheduler.stats, { scheduled: 1, skippedStale: 0 });
});

test('a burst of edits validates only the newest version; the replaced ones count as skipped', () => {
  const { loop, calls, scheduler } = setup();
  scheduler.schedule('a', 1);
  loop.run(1);
  scheduler.schedule('a', 2);
  loop.run(2);
  scheduler.schedule('a', 3);
  loop.run(10);
  // version 3 was scheduled after turn 3, so it runs in turn 3 + 3 = 6
  assert.deepEqual(calls, [{ turn: 6, uri: 'a', version: 3 }]);
  assert.deepEqual(scheduler.stats, { scheduled: 3, skippedStale: 2 });
});

test('a multi-document validation steps every 3 turns; a newer version abandons it without counting a skip', () => {
  const { loop, calls, scheduler } = setup(3);
  scheduler.schedule('a', 1);
  loop.run(6);
  assert.deepEqual(
    calls.map((c) => [c.turn, c.version]),
    [
      [3, 1],
      [6, 1],
    ],
  );
  scheduler.schedule('a', 2); // begun: abandoned, not skipped
  loop.run(20);
  assert.deepEqual(
    calls.map((c) => [c.turn, c.version]),
    [
      [3, 1],
      [6, 1],
      [9, 2],
      [12, 2],
      [15, 2],
    ],
  );
  assert.deepEqual(scheduler.stats, { scheduled: 2, skippedStale: 0 });
});

test('two documents are validated independently; closing one drops only its validation', () => {
  const { loop, calls, scheduler } = setup();
  scheduler.schedule('a', 1);
  scheduler.schedule('b', 7);
  loop.run(1);
  scheduler.cancel('a');
  loop.run(5);
  assert.deepEqual(calls, [{ turn: 3, uri: 'b', version: 7 }]);
});

test('a reply still to be written holds the step back until it is out', () => {
  const { loop, calls, scheduler } = setup();
  scheduler.schedule('a', 1);
  loop.run(2);
  scheduler.replyComing(); // answered in turn 2: written in turn 3, out (count drops) in turn 4
  loop.run(1);
  assert.deepEqual(calls, []); // turn 3: the reply is not out yet, the step waits
  loop.run(1);
  assert.deepEqual(calls, []); // turn 4: the count drops in this turn, after the wait was queued
  loop.run(1);
  assert.deepEqual(calls, [{ turn: 5, uri: 'a', version: 1 }]);
});

test('a stream of replies delays a validation by at most 16 turns', () => {
  const { loop, calls, scheduler } = setup();
  scheduler.schedule('a', 1);
  for (let i = 0; i < 40 && !calls.length; i++) {
    scheduler.replyComing();
    loop.tick();
  }
  // due in turn 3, waits 16 turns while replies keep coming: runs in turn 19
  assert.deepEqual(calls, [{ turn: 19, uri: 'a', version: 1 }]);
});
