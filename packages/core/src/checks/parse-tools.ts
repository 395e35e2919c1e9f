// Turns each tool's machine output into findings. Tools run with the work tree at `/work`, so their absolute
// paths are made relative again; anything that is not the expected output yields no findings here, and the
// check that ran the tool reports the failure with its output instead (a crash is not a clean result).
import {
  advisorySeverity,
  securityRuleSeverity,
  secretSeverity,
  tscErrorSeverity,
  workspaceLintSeverity,
} from './severity.ts';
import { clip, findingLimits, type Finding, type FindingSeverity } from './findings.ts';

/** Where the sandbox puts the work tree. */
export const SANDBOX_WORK_DIR = '/work';

/** A tool's path as a work-tree path: `/work/src/a.ts` and `src/a.ts` both become `src/a.ts`. */
export function workPath(path: string, workDir = SANDBOX_WORK_DIR): string {
  const prefix = `${workDir}/`;
  const relative = path.startsWith(prefix) ? path.slice(prefix.length) : path.replace(/^\.\//, '');
  return relative === '' ? '.' : relative;
}

function finding(
  tool: string,
  rule: string,
  severity: FindingSeverity,
  path: string,
  line: number,
  message: string,
): Finding {
  return {
    tool,
    rule: clip(rule === '' ? tool : rule, findingLimits.rule),
    severity,
    path: clip(path === '' ? '.' : path, findingLimits.path),
    line: Number.isFinite(line) && line >= 1 ? Math.trunc(line) : 1,
    message: clip(message.trim() === '' ? '(no message)' : message.trim(), findingLimits.message),
  };
}

// `src/a.ts(12,5): error TS2322: Type 'number' is not assignable to type 'string'.` (`--pretty false`); a
// message can continue on indented lines. Errors without a file (`error TS5083: Cannot read file …`) are
// put on the config file.
const TSC_LOCATED = /^(.+?)\((\d+),(\d+)\): (error|warning|message) (TS\d+): (.*)$/;
const TSC_GLOBAL = /^(error|warning|message) (TS\d+): (.*)$/;

/** Parses `tsc --noEmit --pretty false` output. Only errors become findings. */
export function parseTscOutput(output: string, configPath = 'tsconfig.json'): Finding[] {
  const findings: Finding[] = [];
  let last: { finding: Finding; error: boolean } | undefined;
  for (const line of output.split(/\r?\n/)) {
    const located = TSC_LOCATED.exec(line);
    const global = located === null ? TSC_GLOBAL.exec(line) : null;
    if (located !== null) {
      const [, path = '', row = '1', , level = '', code = '', message = ''] = located;
      last = {
        finding: finding('tsc', code, tscErrorSeverity, workPath(path), Number(row), message),
        error: level === 'error',
      };
      if (last.error) findings.push(last.finding);
    } else if (global !== null) {
      const [, level = '', code = '', message = ''] = global;
      last = {
        finding: finding('tsc', code, tscErrorSeverity, configPath, 1, message),
        error: level === 'error',
      };
      if (last.error) findings.push(last.finding);
    } else if (last?.error === true && /^\s+\S/.test(line)) {
      last.finding.message = clip(`${last.finding.message}\n${line.trim()}`, findingLimits.message);
    } else {
      last = undefined;
    }
  }
  return findings;
}

interface EslintMessage {
  ruleId?: string | null;
  severity?: number;
  fatal?: boolean;
  message?: string;
  line?: number;
}

interface EslintFileResult {
  filePath?: string;
  messages?: EslintMessage[];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Parses ESLint's `--format json` report. `security` picks the severity table: the security scan's rules, or
 * the workspace's own config (whose levels are style, not security).
 */
export function parseEslintJson(json: string, options: { security: boolean }): Finding[] | undefined {
  const report = parseJson(json);
  if (!Array.isArray(report)) return undefined;
  const tool = options.security ? 'eslint-security' : 'eslint';
  const findings: Finding[] = [];
  for (const file of report as EslintFileResult[]) {
    const path = workPath(typeof file.filePath === 'string' ? file.filePath : '');
    for (const m of Array.isArray(file.messages) ? file.messages : []) {
      const fatal = m.fatal === true;
      // "File ignored because of a matching ignore pattern": a notice about the file list, not about the code.
      if (typeof m.ruleId !== 'string' && !fatal) continue;
      const rule = typeof m.ruleId === 'string' ? m.ruleId : fatal ? 'parse-error' : 'eslint';
      const severity = options.security
        ? securityRuleSeverity(rule, fatal)
        : workspaceLintSeverity(typeof m.severity === 'number' ? m.severity : 2, fatal);
      findings.push(finding(tool, rule, severity, path, m.line ?? 1, m.message ?? ''));
    }
  }
  return findings;
}

interface SecretlintMessage {
  ruleId?: string;
  message?: string;
  loc?: { start?: { line?: number } };
}

/** Parses secretlint's `--format json` report; every secret is `critical`. Messages are already masked. */
export function parseSecretlintJson(json: string): Finding[] | undefined {
  const report = parseJson(json);
  if (!Array.isArray(report)) return undefined;
  const findings: Finding[] = [];
  for (const file of report as { filePath?: string; messages?: SecretlintMessage[] }[]) {
    const path = workPath(typeof file.filePath === 'string' ? file.filePath : '');
    for (const m of Array.isArray(file.messages) ? file.messages : []) {
      const rule = typeof m.ruleId === 'string' ? m.ruleId : 'secret';
      findings.push(
        finding(
          'secretlint',
          rule,
          secretSeverity,
          path,
          m.loc?.start?.line ?? 1,
          m.message ?? 'secret found',
        ),
      );
    }
  }
  return findings;
}

interface AuditVia {
  title?: string;
  url?: string;
  severity?: string;
  range?: string;
}

interface AuditVulnerability {
  name?: string;
  severity?: string;
  via?: (string | AuditVia)[];
  range?: string;
  fixAvailable?: boolean | { name?: string; version?: string };
}

/**
 * Parses `npm audit --json` (report version 2). One finding per vulnerable package with an advisory of its own
 * (packages only vulnerable through another are left out: the root cause is the finding), put on line 1 of the
 * lockfile. Returns undefined for anything that is not a report, e.g. npm's error object when offline.
 */
export function parseNpmAuditJson(json: string, lockfilePath = 'package-lock.json'): Finding[] | undefined {
  const report = parseJson(json) as { vulnerabilities?: Record<string, AuditVulnerability> } | undefined;
  if (typeof report !== 'object' || typeof report.vulnerabilities !== 'object') return undefined;
  const findings: Finding[] = [];
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities)) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via === 'string') continue;
      const fix = vulnerability.fixAvailable;
      const fixText =
        fix === true
          ? ' A fix is available.'
          : typeof fix === 'object' && fix.version !== undefined
            ? ` Fixed in ${fix.name ?? name}@${fix.version}.`
            : ' No fix available.';
      findings.push(
        finding(
          'npm-audit',
          via.url ?? via.title ?? name,
          advisorySeverity(via.severity ?? vulnerability.severity ?? 'low'),
          lockfilePath,
          1,
          `${name} ${via.range ?? vulnerability.range ?? ''}: ${via.title ?? 'vulnerable'}.${fixText}`,
        ),
      );
    }
  }
  return findings;
}

/**
 * The end of a command's output, where test runners print failures and the summary: at most `maxChars`, cut at
 * a line start where possible, with a note of how much came before.
 */
export function outputTail(output: string, maxChars: number): string {
  if (output.length <= maxChars) return output;
  const note = (n: number): string => `… ${n} earlier characters not shown\n`;
  const budget = Math.max(0, maxChars - note(output.length).length);
  let start = output.length - budget;
  const newline = output.indexOf('\n', start);
  if (newline !== -1 && newline < output.length - 1 && newline - start < budget / 4) start = newline + 1;
  return `${note(start)}${output.slice(start)}`;
}
