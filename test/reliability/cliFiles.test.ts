// The CLI reads files as data only: a directory, a FIFO, a file that errors on read, an unreadable or a missing
// path gives exit 2 and one line on stderr (no stack trace, no hang).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'llm-sizer-cli-'));
function cli(...args: string[]) {
  // The timeout is a hang guard (a FIFO read would block forever), generous so a loaded machine is not a failure.
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}
function oneLine(r: ReturnType<typeof cli>, re: RegExp): void {
  assert.equal(r.error, undefined, `spawn error (hang?): ${r.error}`);
  assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, re);
}

test('directory, missing file: exit 2, one line', () => {
  oneLine(cli('report', dir), /^llm-sizer: cannot read .*: it is a directory\n$/);
  oneLine(cli('check', join(dir, 'nope.yaml')), /^llm-sizer: cannot read .*: no such file\n$/);
});

test('a FIFO is refused without reading (reading one with no writer would block forever)', () => {
  const fifo = join(dir, 'pipe.yaml');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0) return void console.log('# skipped: mkfifo not available');
  oneLine(cli('report', fifo), /^llm-sizer: cannot read .*: not a regular file\n$/);
  oneLine(cli('calibrate', fifo), /not a regular file/);
});

test('a path whose read fails (/proc/self/mem: EIO) and a device', () => {
  oneLine(cli('report', '/proc/self/mem'), /^llm-sizer: cannot read \/proc\/self\/mem: /);
  oneLine(cli('check', '/dev/zero'), /not a regular file/);
});

test('an unreadable file (chmod 000)', () => {
  const f = join(dir, 'secret.yaml');
  writeFileSync(f, 'model: x\n');
  chmodSync(f, 0o000);
  if (process.getuid?.() === 0)
    return void console.log('# skipped chmod 000: running as root, which reads it anyway (the /proc and FIFO cases cover read errors)');
  oneLine(cli('report', f), /^llm-sizer: cannot read .*: EACCES\n$/);
});
