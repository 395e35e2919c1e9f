import { describe, expect, it } from 'vitest';
import { checkJsonSyntax, isJsoncFile, isJsonFile } from './json-syntax.ts';

describe('checkJsonSyntax (strict JSON)', () => {
  it('passes valid JSON, with or without a byte-order mark', () => {
    const pkg =
      '{\n  "name": "@tandem/core",\n  "private": true,\n  "dependencies": { "zod": "^4.1.0" }\n}\n';
    expect(checkJsonSyntax('package.json', pkg)).toEqual([]);
    expect(checkJsonSyntax('data/list.json', `\uFEFF[1, 2, 3]`)).toEqual([]);
  });

  it('reports a missing comma at the start of the next property', () => {
    const broken = '{\n  "name": "demo",\n  "version": "1.0.0"\n  "private": true\n}\n';
    expect(checkJsonSyntax('package.json', broken)).toEqual([
      {
        path: 'package.json',
        line: 4,
        column: 3,
        severity: 'error',
        message: "Expected ',' or '}' after property value",
        rule: 'json',
      },
    ]);
  });

  it('rejects trailing commas and comments where only strict JSON is read', () => {
    expect(checkJsonSyntax('package.json', '{\n  "a": 1,\n}\n')[0]).toMatchObject({ line: 3, column: 1 });
    expect(checkJsonSyntax('composer.json', '// note\n{}')[0]).toMatchObject({ line: 1, column: 1 });
  });

  it('reports an empty file and a bad literal with a position', () => {
    expect(checkJsonSyntax('a.json', '')[0]).toMatchObject({
      line: 1,
      column: 1,
      message: 'Unexpected end of JSON input',
    });
    const [literal] = checkJsonSyntax('b.json', '{\n  "ok": tru\n}');
    expect(literal).toMatchObject({ line: 2, column: 9 });
    expect(literal?.message).toMatch(/^Property value can only be/);
    expect(checkJsonSyntax('c.json', '[1,,2]')[0]).toMatchObject({ line: 1, column: 4 });
  });
});

describe('checkJsonSyntax (JSON with comments)', () => {
  const tsconfig = `{
  // Strict everywhere.
  "compilerOptions": {
    "strict": true, /* block comment */
    "paths": { "@/*": ["./src/*"], },
  },
}
`;

  it('allows comments and trailing commas in tsconfig, jsconfig and VS Code files', () => {
    expect(checkJsonSyntax('tsconfig.json', tsconfig)).toEqual([]);
    expect(checkJsonSyntax('packages/core/tsconfig.build.json', tsconfig)).toEqual([]);
    expect(checkJsonSyntax('.vscode/settings.json', tsconfig)).toEqual([]);
    expect(checkJsonSyntax('config/app.jsonc', tsconfig)).toEqual([]);
  });

  it('still reports real syntax errors there', () => {
    const broken = '{\n  "compilerOptions": {\n    "strict": true\n    "noEmit": true\n  }\n}\n';
    expect(checkJsonSyntax('tsconfig.json', broken)).toEqual([
      {
        path: 'tsconfig.json',
        line: 4,
        column: 5,
        severity: 'error',
        message: "',' expected.",
        rule: 'jsonc',
      },
    ]);
  });
});

describe('JSON file kinds', () => {
  it('tells JSON and JSON-with-comments files apart', () => {
    expect(isJsonFile('package.json')).toBe(true);
    expect(isJsonFile('tsconfig.json')).toBe(true);
    expect(isJsonFile('notes.json5')).toBe(false);
    expect(isJsoncFile('tsconfig.base.json')).toBe(true);
    expect(isJsoncFile('jsconfig.json')).toBe(true);
    expect(isJsoncFile('.devcontainer/devcontainer.json')).toBe(true);
    expect(isJsoncFile('package.json')).toBe(false);
    expect(isJsoncFile('src/tsconfig-data.json')).toBe(false);
  });
});
