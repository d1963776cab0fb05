// Second runner for machines that can download desktop VS Code: @vscode/test-electron (not a dependency here:
// it downloads VS Code from update.code.visualstudio.com, which this project's CI cannot reach).
// usage: npm i -D @vscode/test-electron && node --import tsx test/e2e/electron-runner.ts
// It runs test/e2e/electron-suite.js inside the downloaded VS Code with this folder as the extension.
import { resolve } from 'node:path';

async function main(): Promise<number> {
  let te: { runTests(o: { extensionDevelopmentPath: string; extensionTestsPath: string; launchArgs?: string[] }): Promise<number> };
  try {
    te = require('@vscode/test-electron');
  } catch {
    console.log('SKIP electron runner: @vscode/test-electron is not installed (npm i -D @vscode/test-electron on a machine that can download VS Code); the code-server e2e covers this machine');
    return 0;
  }
  const root = resolve(__dirname, '../..');
  try {
    return await te.runTests({ extensionDevelopmentPath: root, extensionTestsPath: resolve(__dirname, 'electron-suite.js'), launchArgs: [resolve(root, 'test/fixtures/e2e-workspace'), '--disable-extensions'] });
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|network|download/i.test(msg)) {
      console.log(`SKIP electron runner: cannot download VS Code here (${msg.split('\n')[0]})`);
      return 0;
    }
    throw e;
  }
}
main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
