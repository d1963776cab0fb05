// The desktop-VS Code runner either runs or prints one clear skip line; it never fails silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('electron runner runs or skips with one line', { timeout: 10 * 60_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'electron-runner.ts')], { encoding: 'utf8' });
  process.stdout.write(r.stdout.split('\n').map((l) => (l ? `# ${l}\n` : '')).join(''));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^SKIP electron runner: |electron suite: \d+ passed, 0 failed/m);
});
