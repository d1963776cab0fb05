// Runs inside desktop VS Code (via test/e2e/electron-runner.ts): the extension activates on the fixture workspace,
// publishes the expected diagnostics, answers a hover with the memory table, and registers its commands. Each check
// is counted as it passes; the first failure rejects, which fails the run.
const assert = require('node:assert');
const path = require('node:path');
const vscode = require('vscode');

const WS = path.resolve(__dirname, '../fixtures/e2e-workspace');

async function diagnosticsOf(uri, test) {
  for (let i = 0; i < 240; i++) {
    const ds = vscode.languages.getDiagnostics(uri);
    if (test(ds)) return ds;
    await new Promise((r) => setTimeout(r, 250));
  }
  return vscode.languages.getDiagnostics(uri);
}

const checks = [
  [
    'vllm-70b.yaml: 64 heads do not divide by tensor_parallel_size 3 (error on the tp line)',
    async () => {
      const doc = await vscode.workspace.openTextDocument(path.join(WS, 'vllm-70b.yaml'));
      await vscode.window.showTextDocument(doc);
      const ds = await diagnosticsOf(doc.uri, (d) => d.some((x) => x.code === 'heads-not-divisible'));
      const d = ds.find((x) => x.code === 'heads-not-divisible');
      assert.ok(d, `diagnostics: ${JSON.stringify(ds.map((x) => x.code))}`);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.match(d.message, /must divide evenly by tensor_parallel_size \(3\)/);
      assert.equal(d.range.start.line, 2);
    },
  ],
  [
    'chat-70b.yaml: a hover on the model shows the weights per GPU (32.89 GiB at tp 4)',
    async () => {
      const doc = await vscode.workspace.openTextDocument(path.join(WS, 'chat-70b.yaml'));
      await vscode.window.showTextDocument(doc);
      await diagnosticsOf(doc.uri, (d) => d.length > 0);
      const line = doc
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith('model:'));
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, 10));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /Weights 32\.89 GiB per GPU/);
    },
  ],
  [
    'the four commands are registered',
    async () => {
      const cmds = await vscode.commands.getCommands(true);
      for (const c of ['llmSizer.showReport', 'llmSizer.compareHardware', 'llmSizer.exportReport', 'llmSizer.calibrate']) assert.ok(cmds.includes(c), c);
    },
  ],
];

exports.run = async function run() {
  let passed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      passed++;
    } catch (e) {
      console.log(`electron suite: FAILED ${name}: ${e && e.message}`);
      console.log(`electron suite: ${passed} passed, 1 failed`);
      throw e;
    }
  }
  console.log(`electron suite: ${passed} passed, 0 failed`);
};
