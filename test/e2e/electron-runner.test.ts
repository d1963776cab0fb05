// The desktop-VS Code runner: where VS Code can be downloaded its suite runs and every check must pass; where it
// cannot (this project's CI has no route to update.code.visualstudio.com) the test is reported as SKIPPED with the
// reason, never as passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('electron runner: the real suite in desktop VS Code', { timeout: 10 * 60_000 }, (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'electron-runner.ts')], { encoding: 'utf8', timeout: 9 * 60_000 });
  const skip = /^SKIP electron runner: (.*)$/m.exec(r.stdout);
  if (skip) {
    assert.equal(r.status, 0, r.stderr);
    t.skip(skip[1]);
    return;
  }
  process.stdout.write(
    r.stdout
      .split('\n')
      .map((l) => (l ? `# ${l}\n` : ''))
      .join(''),
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^electron suite: 3 passed, 0 failed$/m);
});
