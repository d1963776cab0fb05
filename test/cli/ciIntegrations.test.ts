// CI integrations as users run them: the npm tarball's CLI installed globally and through npx, the GitHub Action's
// script on a fake changed-file list and on a real git diff, and the pre-commit hook's entry run as pre-commit runs
// it (entry + file names). The tarball is packed from the dist/ the test command built (`--ignore-scripts`: its
// `prepack` would rebuild dist/ under the other test files); it has no dependencies, so nothing is fetched.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../..');
const TMP = mkdtempSync(join(tmpdir(), 'llm-sizer-ci-'));
const PREFIX = join(TMP, 'prefix');
const BIN = join(PREFIX, 'bin');
const ERROR_FIXTURE = 'test/fixtures/e2e-workspace/vllm-70b.yaml';
const CLEAN_FIXTURE = 'test/fixtures/cli/vllm-config.yaml';
const npm = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync('npm', args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...env },
  });
let tarball = '';

interface SarifLog {
  runs: {
    tool: { driver: { name: string } };
    results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
  }[];
}

before(() => {
  const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', TMP])) as { filename: string; files: { path: string }[] }[];
  tarball = join(TMP, packed[0].filename);
  assert.deepEqual(packed[0].files.map((f) => f.path).sort(), [
    'LICENSE',
    'NOTICE',
    'README.md',
    'dist/cli.js',
    'package.json',
    'schemas/deployment.schema.json',
    'schemas/hardware.schema.json',
    'schemas/model.schema.json',
  ]);
  npm(['install', '--global', '--offline', '--prefix', PREFIX, tarball], { npm_config_cache: join(TMP, 'cache') });
});

describe('npm pack', () => {
  it('package.json: bin llm-sizer -> dist/cli.js, built by prepack; dist/cli.js starts with the node shebang', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.bin, { 'llm-sizer': 'dist/cli.js' });
    assert.equal(pkg.scripts.prepack, 'node scripts/build.mjs --production');
    assert.equal(pkg.dependencies, undefined, 'the CLI is one bundle: runtime packages are bundled, so none are installed');
    assert.equal(readFileSync(join(ROOT, 'dist/cli.js'), 'utf8').split('\n')[0], '#!/usr/bin/env node');
  });

  it('installed globally: `llm-sizer check` runs from the prefix bin, exit 1 on an error fixture and 0 on a clean one', () => {
    const bad = spawnSync(join(BIN, 'llm-sizer'), ['check', ERROR_FIXTURE], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /^test\/fixtures\/e2e-workspace\/vllm-70b\.yaml:3:\d+: error \[heads-not-divisible\]/m);
    const good = spawnSync(join(BIN, 'llm-sizer'), ['check', CLEAN_FIXTURE], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(good.status, 0, good.stdout + good.stderr);
  });

  it('through npx (npm exec --package of the tarball), offline', () => {
    const r = spawnSync('npm', ['exec', '--yes', '--offline', '--package', tarball, '--', 'llm-sizer', 'check', '--format', 'json', ERROR_FIXTURE], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, npm_config_cache: join(TMP, 'npx-cache'), npm_config_update_notifier: 'false' },
    });
    assert.equal(r.status, 1, r.stderr);
    // tp 3 on 64 heads: vLLM refuses to start, so no KV-concurrency finding follows; the GPU is the default (assumption).
    assert.deepEqual(
      (JSON.parse(r.stdout) as { diagnostics: { code: string }[] }[])[0].diagnostics.map((d) => d.code),
      ['heads-not-divisible', 'assumption'],
    );
  });
});

describe('GitHub Action', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
  const script = join(ROOT, 'scripts/action-check.sh');
  const runAction = (env: Record<string, string>, cwd = ROOT) => {
    const out = join(mkdtempSync(join(TMP, 'gh-')), 'output');
    writeFileSync(out, '');
    const r = spawnSync('bash', [script], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_OUTPUT: out, RUNNER_TEMP: TMP, LLM_SIZER_CLI: `${process.execPath} ${join(ROOT, 'dist/cli.js')}`, ...env },
    });
    const outputs = Object.fromEntries(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { ...r, outputs };
  };

  it('action.yml: a composite action running the script, uploading its SARIF, failing on the exit code after the upload', () => {
    assert.equal(action.runs.using, 'composite');
    const steps = action.runs.steps as { id?: string; uses?: string; run?: string; if?: string; with?: Record<string, string> }[];
    assert.equal(steps.find((s) => s.id === 'check')?.run, 'bash "$GITHUB_ACTION_PATH/scripts/action-check.sh"');
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    assert.equal(upload?.with?.sarif_file, '${{ steps.check.outputs.sarif }}');
    assert.ok(steps.indexOf(upload!) < steps.findIndex((s) => /exit 1/.test(s.run ?? '')));
    assert.equal(action.inputs.pattern.default, '\\.ya?ml$');
  });

  it('a fake changed-file list: only existing YAML files are checked; SARIF holds the error at its line; exit-code 1', () => {
    const r = runAction({ LLM_SIZER_FILES: `${ERROR_FIXTURE} README.md deleted-in-this-pr.yaml ${CLEAN_FIXTURE}` });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^llm-sizer check on 2 file\\(s\\): ${ERROR_FIXTURE} ${CLEAN_FIXTURE}$`, 'm'));
    assert.match(r.stdout, /error \[heads-not-divisible\]/);
    assert.equal(r.outputs['exit-code'], '1');
    const sarif = JSON.parse(readFileSync(r.outputs.sarif, 'utf8')) as SarifLog;
    assert.equal(sarif.runs[0].tool.driver.name, 'llm-sizer');
    const hit = sarif.runs[0].results.find((x) => x.ruleId === 'heads-not-divisible')!;
    assert.equal(hit.level, 'error');
    assert.equal(hit.locations[0].physicalLocation.artifactLocation.uri, ERROR_FIXTURE);
    assert.equal(hit.locations[0].physicalLocation.region.startLine, 3);
  });

  it('no matching file: nothing checked, no SARIF to upload, exit-code 0', () => {
    const r = runAction({ LLM_SIZER_FILES: 'README.md package.json' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.outputs, { sarif: '', 'exit-code': '0' });
  });

  it('the changed files of a real git history: added and modified YAML since the base, not untouched or deleted ones', () => {
    const repo = mkdtempSync(join(TMP, 'repo-'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    mkdirSync(join(repo, 'deploy'));
    copyFileSync(join(ROOT, CLEAN_FIXTURE), join(repo, 'deploy/untouched.yaml'));
    writeFileSync(join(repo, 'deploy/removed.yaml'), 'a: 1\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD').trim();
    copyFileSync(join(ROOT, ERROR_FIXTURE), join(repo, 'deploy/new.yml'));
    git('rm', '-q', 'deploy/removed.yaml');
    git('add', '.');
    git('commit', '-qm', 'change');
    for (const b of [base, '0000000000000000000000000000000000000000']) {
      const r = runAction({ LLM_SIZER_FILES: '', LLM_SIZER_BASE: b }, repo);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^llm-sizer check on 1 file\(s\): deploy\/new\.yml$/m);
      assert.equal(r.outputs['exit-code'], '1');
    }
  });
});

describe('pre-commit hook', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; language: string; entry: string; files: string }[];
  const hook = hooks[0];

  it('.pre-commit-hooks.yaml: one node hook, entry `llm-sizer check`, files \\.ya?ml$', () => {
    assert.deepEqual([hooks.length, hook.id, hook.language, hook.entry, hook.files], [1, 'llm-sizer', 'node', 'llm-sizer check', '\\.ya?ml$']);
    const files = new RegExp(hook.files);
    assert.deepEqual(
      ['a.yaml', 'b.yml', 'c.json', 'yaml.txt'].map((f) => files.test(f)),
      [true, true, false, false],
    );
  });

  it('run as pre-commit runs it (entry + staged file names, the package bin on PATH): exit 1 with the error, 0 when clean', () => {
    // pre-commit splits `entry` like a shell and appends the matching file names.
    const [cmd, ...args] = hook.entry.split(' ');
    const env = { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH}` };
    const bad = spawnSync(cmd, [...args, ERROR_FIXTURE, CLEAN_FIXTURE], { cwd: ROOT, encoding: 'utf8', env });
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /error \[heads-not-divisible\]/);
    assert.match(bad.stdout, /^\d+ problems? in 2 files$/m);
    const good = spawnSync(cmd, [...args, CLEAN_FIXTURE], { cwd: ROOT, encoding: 'utf8', env });
    assert.equal(good.status, 0, good.stdout + good.stderr);
  });
});
