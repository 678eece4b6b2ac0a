import { workspaceRoot } from '@pulse/testing';

import { ESLint } from 'eslint';

// The dependency rule of CONVENTIONS.md, checked through the real lint config: a service never
// imports another service, a lib never imports a service, and both go through @pulse/* aliases.
async function lint(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: workspaceRoot });
  const [result] = await eslint.lintText(code, { filePath: `${workspaceRoot}/${filePath}` });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('module boundaries (lint)', () => {
  it('rejects a service importing another service', async () => {
    const messages = await lint(
      'services/cleaner/src/probe.ts',
      "import { PartialsRepository } from '../../store/src/partials/partials.repository.js';\nexport const probe = PartialsRepository;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('rejects a lib importing a service', async () => {
    const messages = await lint(
      'libs/contracts/src/probe.ts',
      "import { CleaningConsumer } from '../../../services/cleaner/src/cleaning/cleaning.consumer.js';\nexport const probe = CleaningConsumer;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('accepts a service importing a lib through its alias', async () => {
    const messages = await lint(
      'services/cleaner/src/probe.ts',
      "import { subjects } from '@pulse/contracts';\n\nexport const probe = subjects;\n",
    );
    expect(messages).toEqual([]);
  });
});
