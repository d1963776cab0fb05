// Runner for desktop VS Code: @vscode/test-electron (a devDependency) downloads VS Code from
// update.code.visualstudio.com and runs test/e2e/electron-suite.js inside it with this folder as the extension.
// Prints exactly one of:
//   SKIP electron runner: <reason>        VS Code could not be downloaded here (no network to its update server);
//   electron suite: N passed, 0 failed    every check of the suite passed (N counted by the suite, not written here);
// and exits non-zero when the suite ran and a check failed. usage: node --import tsx test/e2e/electron-runner.ts
import { resolve } from 'node:path';

type TestElectron = typeof import('@vscode/test-electron');

async function main(): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved at run time so a missing download skips visibly
  const te: TestElectron = require('@vscode/test-electron');
  const root = resolve(__dirname, '../..');
  let vscodeExecutablePath: string;
  try {
    // Only the download may be skipped: a suite that starts and fails is a failure.
    vscodeExecutablePath = await te.downloadAndUnzipVSCode({ cachePath: resolve(root, '.vscode-test'), timeout: 30_000 });
  } catch (e) {
    console.log(
      `SKIP electron runner: cannot download VS Code here (${String((e as Error)?.message ?? e)
        .split('\n')[0]
        .slice(0, 200)})`,
    );
    return 0;
  }
  return te.runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: resolve(__dirname, 'electron-suite.js'),
    launchArgs: [resolve(root, 'test/fixtures/e2e-workspace'), '--disable-extensions', '--disable-workspace-trust'],
  });
}
main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
