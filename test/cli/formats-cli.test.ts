// The CLI as a process on every format fixture: `report --json` names the detected format per deployment and
// reports the same diagnostics as the in-process pipeline the language server uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/analysis';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const dir = path.join('test', 'fixtures', 'formats');

test('report --json on every format fixture matches the language-server pipeline', () => {
  for (const f of readdirSync(path.join(root, dir)).filter((x) => x.endsWith('.yaml'))) {
    const file = path.join(dir, f);
    const r = spawnSync(process.execPath, [cli, 'report', file, '--json', '--gpu', 'L4'], { cwd: root, encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, `${f}: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { deployments: { name: string; format: string }[]; diagnostics: { code: string; range: unknown }[] };
    const a = analyzeText(readFileSync(path.join(root, file), 'utf8'), { defaultGpu: 'L4' });
    assert.deepEqual(
      j.deployments.map((d) => [d.name, d.format]),
      a.deployments.map((d) => [d.deployment.name, d.deployment.format]),
      f,
    );
    assert.ok(
      j.deployments.every((d) => typeof d.format === 'string' && d.format !== 'native'),
      f,
    );
    assert.deepEqual(j.diagnostics.map((d) => d.code).sort(), a.diagnostics.map((d) => d.code).sort(), f);
  }
});
