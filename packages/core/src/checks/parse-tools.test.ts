import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingSchema } from './findings.ts';
import {
  outputTail,
  parseEslintJson,
  parseNpmAuditJson,
  parseSecretlintJson,
  parseTscOutput,
  workPath,
} from './parse-tools.ts';

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('parseTscOutput', () => {
  it('reads every error of real tsc output with its position and code', () => {
    const findings = parseTscOutput(fixture('tsc.txt'));
    expect(findings.map((f) => [f.path, f.line, f.rule, f.severity])).toEqual([
      ['src/handler.ts', 1, 'TS2307', 'high'],
      ['src/math.ts', 4, 'TS2345', 'high'],
      ['src/math.ts', 5, 'TS2322', 'high'],
    ]);
    expect(findings[2]?.message).toBe("Type 'number' is not assignable to type 'string'.");
    for (const f of findings) expect(findingSchema.parse(f)).toEqual(f);
  });

  it('joins continuation lines, puts file-less errors on the config and ignores noise', () => {
    const output = [
      "src/a.ts(3,1): error TS2322: Type '{ a: number; }' is not assignable to type 'B'.",
      "  Object literal may only specify known properties, and 'a' does not exist in type 'B'.",
      "error TS5083: Cannot read file '/work/base.json'.",
      'Found 2 errors.',
      '',
    ].join('\n');
    const findings = parseTscOutput(output, 'app/tsconfig.json');
    expect(findings).toHaveLength(2);
    expect(findings[0]?.message).toContain('\nObject literal may only specify known properties');
    expect(findings[1]).toMatchObject({ path: 'app/tsconfig.json', line: 1, rule: 'TS5083' });
    expect(parseTscOutput('Segmentation fault\n')).toEqual([]);
  });
});

describe('parseEslintJson', () => {
  it('maps the security scan of real ESLint output by rule', () => {
    const findings = parseEslintJson(fixture('eslint-security.json'), { security: true });
    expect(findings?.map((f) => [f.path, f.line, f.rule, f.severity])).toEqual([
      ['src/broken.ts', 2, 'parse-error', 'low'],
      ['src/dom.js', 2, 'no-unsanitized/property', 'high'],
      ['src/dom.js', 3, 'no-new-func', 'high'],
      ['src/handler.ts', 4, 'security/detect-eval-with-expression', 'high'],
      ['src/handler.ts', 4, 'no-eval', 'high'],
    ]);
    expect(findings?.every((f) => f.tool === 'eslint-security')).toBe(true);
  });

  it('maps a workspace config by level: error medium, warning low, unparsable high', () => {
    const findings = parseEslintJson(fixture('eslint-workspace.json'), { security: false });
    expect(findings?.map((f) => [f.path, f.line, f.rule, f.severity])).toEqual([
      ['src/broken.ts', 2, 'parse-error', 'high'],
      ['src/style.ts', 2, 'no-unused-vars', 'low'],
      ['src/style.ts', 3, 'eqeqeq', 'medium'],
    ]);
  });

  it('returns undefined for output that is not a report', () => {
    expect(parseEslintJson('Oops! Something went wrong!', { security: false })).toBeUndefined();
    expect(parseEslintJson('{"a":1}', { security: true })).toBeUndefined();
  });
});

describe('parseSecretlintJson', () => {
  it('makes every secret critical, with the masked message and its line', () => {
    const findings = parseSecretlintJson(fixture('secretlint.json'));
    expect(findings).toEqual([
      {
        tool: 'secretlint',
        rule: '@secretlint/secretlint-rule-aws',
        severity: 'critical',
        path: 'src/config.ts',
        line: 3,
        message: 'found AWS Secret Access Key: ****************************************',
      },
    ]);
    expect(JSON.stringify(findings)).not.toContain('g7Hk2pQ9');
    expect(parseSecretlintJson('')).toBeUndefined();
  });
});

describe('parseNpmAuditJson', () => {
  it('reports each advisory of a package with its own severity, on the lockfile', () => {
    const findings = parseNpmAuditJson(fixture('npm-audit.json'));
    expect(findings?.map((f) => [f.rule, f.severity, f.path, f.line])).toEqual([
      ['https://github.com/advisories/GHSA-jf85-cpcp-j695', 'critical', 'package-lock.json', 1],
      ['https://github.com/advisories/GHSA-35jh-r3h4-6jhm', 'high', 'package-lock.json', 1],
      ['https://github.com/advisories/GHSA-vh95-rmgr-6w4m', 'medium', 'package-lock.json', 1],
    ]);
    expect(findings?.[2]?.message).toBe(
      'minimist <0.2.1 || >=1.0.0 <1.2.3: Prototype Pollution in minimist. Fixed in mkdirp@1.0.4.',
    );
  });

  it('returns undefined for npm error objects (offline, refused)', () => {
    expect(parseNpmAuditJson('{"message":"405 Method Not Allowed","statusCode":405}')).toBeUndefined();
  });
});

describe('workPath and outputTail', () => {
  it('makes sandbox paths relative', () => {
    expect(workPath('/work/src/a.ts')).toBe('src/a.ts');
    expect(workPath('./src/a.ts')).toBe('src/a.ts');
    expect(workPath('/work/')).toBe('.');
  });

  it('keeps the end of long output, from a line start, and says what was cut', () => {
    const output = Array.from({ length: 1_000 }, (_, i) => `line ${i}`).join('\n');
    const tail = outputTail(output, 200);
    expect(tail.length).toBeLessThanOrEqual(200);
    expect(tail).toMatch(/^… \d+ earlier characters not shown\nline \d+\n/);
    expect(tail.endsWith('line 999')).toBe(true);
    expect(outputTail('short', 200)).toBe('short');
  });
});
