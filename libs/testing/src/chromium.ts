import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { workspaceRoot } from './test-infra.js';

/**
 * The Chromium binary browser tests drive with playwright-core (`executablePath`): Debian's
 * `chromium` package, installed by scripts/install-chromium.sh when missing (a no-op otherwise;
 * `PULSE_CHROMIUM` points at another binary).
 */
export function ensureChromium(): string {
  const result = spawnSync('bash', [join(workspaceRoot, 'scripts/install-chromium.sh')], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`scripts/install-chromium.sh failed (exit ${result.status})`);
  return result.stdout.trim().split('\n').at(-1) ?? '/usr/bin/chromium';
}
