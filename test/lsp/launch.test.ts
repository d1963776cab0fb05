import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/serverLaunch';

// Keeps a rolling window of small objects alive while allocating ~300 MB in total (what typing in a large file does
// to the server: short-lived parse results, some surviving a scavenge), then prints V8's young-generation size.
const CHURN = `
const keep = [];
for (let i = 0; i < 3e6; i++) { keep.push({ a: i, b: [i] }); if (keep.length > 50000) keep.splice(0, 25000); }
const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
process.stdout.write(String(s.space_size));
`;

function newSpaceBytesAfterChurn(flags: readonly string[]): number {
  const r = spawnSync(process.execPath, [...flags, '-e', CHURN], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

test('the server flags cap the young generation at 2 x 1 MiB (V8 grows it to 2 x 16 MiB by default)', () => {
  // Control: without the flags the same churn grows the young generation past 2 MiB, so the cap below is the flags' doing.
  assert.ok(newSpaceBytesAfterChurn([]) > 2 * 1024 * 1024);
  assert.ok(newSpaceBytesAfterChurn(SERVER_NODE_FLAGS) <= 2 * 1024 * 1024);
});
