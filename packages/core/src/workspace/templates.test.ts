import { describe, expect, it } from 'vitest';
import { createWorkspaceInput } from './schemas.ts';
import { parseTemplate, sortTemplates, templateSummary } from './templates.ts';

const manifest = (value: object) => ({ path: 'template.json', text: JSON.stringify(value) });

describe('parseTemplate', () => {
  it('reads the manifest, keeps the other files sorted as the project, and counts their UTF-8 bytes', () => {
    const template = parseTemplate('ts-lib', [
      { path: 'src/index.ts', text: 'export const é = 1;\n' },
      manifest({ name: 'TS library', description: 'A library.' }),
      { path: 'package.json', text: '{}' },
    ]);
    expect(template.content.map((file) => file.path)).toEqual(['package.json', 'src/index.ts']);
    expect(templateSummary(template)).toEqual({
      id: 'ts-lib',
      name: 'TS library',
      description: 'A library.',
      files: 2,
      bytes: 2 + 21,
    });
    expect(template.order).toBe(100);
  });

  it('refuses a template without a manifest, with a bad one, without files or with a bad id', () => {
    const file = { path: 'a.ts', text: '' };
    expect(() => parseTemplate('x', [file])).toThrow(/no template.json/);
    expect(() => parseTemplate('x', [manifest({ name: 'X' }), file])).toThrow(/description/);
    expect(() => parseTemplate('x', [manifest({ name: 'X', description: 'Y', extra: 1 }), file])).toThrow();
    expect(() => parseTemplate('x', [manifest({ name: 'X', description: 'Y' })])).toThrow(/no files/);
    expect(() => parseTemplate('../x', [manifest({ name: 'X', description: 'Y' }), file])).toThrow(
      /Not a template id/,
    );
  });
});

describe('sortTemplates', () => {
  it('orders by order, then name', () => {
    const sorted = sortTemplates([
      { order: 2, name: 'b' },
      { order: 1, name: 'z' },
      { order: 2, name: 'a' },
    ]);
    expect(sorted).toEqual([
      { order: 1, name: 'z' },
      { order: 2, name: 'a' },
      { order: 2, name: 'b' },
    ]);
  });
});

describe('createWorkspaceInput', () => {
  it('takes an optional template id and refuses paths posing as one', () => {
    expect(createWorkspaceInput.parse({ name: 'A' })).toEqual({ name: 'A' });
    expect(createWorkspaceInput.parse({ name: 'A', template: 'react-vite-app' }).template).toBe(
      'react-vite-app',
    );
    expect(createWorkspaceInput.safeParse({ name: 'A', template: '../../etc' }).success).toBe(false);
  });
});
