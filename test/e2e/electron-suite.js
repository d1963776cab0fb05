// Runs inside desktop VS Code (via test/e2e/electron-runner.ts): the extension activates on a YAML file,
// publishes the expected diagnostic and its commands exist.
const assert = require('node:assert');
const path = require('node:path');
const vscode = require('vscode');

exports.run = async function run() {
  const ws = path.resolve(__dirname, '../fixtures/e2e-workspace');
  const doc = await vscode.workspace.openTextDocument(path.join(ws, 'vllm-70b.yaml'));
  await vscode.window.showTextDocument(doc);
  let diags = [];
  for (let i = 0; i < 120 && !diags.length; i++) { await new Promise((r) => setTimeout(r, 500)); diags = vscode.languages.getDiagnostics(doc.uri); }
  assert.ok(diags.some((d) => /must divide evenly by tensor_parallel_size \(3\)/.test(d.message)), 'heads-not-divisible diagnostic');
  const cmds = await vscode.commands.getCommands(true);
  for (const c of ['llmSizer.showReport', 'llmSizer.compareHardware', 'llmSizer.exportReport', 'llmSizer.calibrate']) assert.ok(cmds.includes(c), c);
  await vscode.commands.executeCommand('llmSizer.showReport');
  console.log('electron suite: 3 passed, 0 failed');
};
