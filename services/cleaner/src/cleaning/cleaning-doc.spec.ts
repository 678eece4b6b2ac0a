import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { DLQ_REASONS } from './dlq-reasons.js';

// docs/cleaning.md promises that each numbered rule has a test named "cleaning.md row <n>:" and that
// each DLQ reason is documented. This keeps the page and the tests from drifting apart.

const doc = readFileSync(fileURLToPath(new URL('../../../../docs/cleaning.md', import.meta.url)), 'utf8');
const sourceDir = fileURLToPath(new URL('..', import.meta.url));

function specSources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.spec.ts') && entry.name !== 'cleaning-doc.spec.ts')
    .map((entry) => readFileSync(`${entry.parentPath}/${entry.name}`, 'utf8'))
    .join('\n');
}

const documentedRows = [...doc.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
const testedRows = new Set([...specSources(sourceDir).matchAll(/cleaning\.md row (\d+):/g)].map((m) => Number(m[1])));

describe('docs/cleaning.md', () => {
  it('numbers its rule rows 1, 2, 3, … without gaps', () => {
    expect(documentedRows.length).toBeGreaterThan(40);
    expect(documentedRows).toEqual(documentedRows.map((_, index) => index + 1));
  });

  it('has a test named after every row', () => {
    expect(documentedRows.filter((row) => !testedRows.has(row))).toEqual([]);
  });

  it('has a row for every row a test names', () => {
    const documented = new Set(documentedRows);
    expect([...testedRows].filter((row) => !documented.has(row))).toEqual([]);
  });

  it('lists every DLQ reason code in its reasons table, and no other', () => {
    const start = doc.indexOf('## DLQ reasons');
    const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
    const listed = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(Object.keys(DLQ_REASONS).sort());
  });
});
