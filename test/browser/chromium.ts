// Finds Debian's chromium for the browser and editor tests. It is installed once by the test command's setup step
// (scripts/test.mjs runs test/e2e/setup.sh before any test starts), never from a test file: two files installing it
// at once collide on the dpkg lock. Missing: fail with the one command to run. Never skips silently.
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  throw new Error(
    `chromium not found at ${CHROMIUM}: run \`npm test\` (installs it as root) or \`sudo apt-get update && sudo apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
  );
}
