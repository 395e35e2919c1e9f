import { describe, expect, it } from 'vitest';
import { auditActionLabel, auditDetailsText, csvCell, toCsv } from './audit-format.ts';
import { adminAuditInput } from './schemas.ts';

describe('the audit log in words', () => {
  it('names known actions and shows unknown ones as recorded', () => {
    expect(auditActionLabel('user.reset_link')).toBe('Issued a password reset link');
    expect(auditActionLabel('plugin.thing')).toBe('plugin.thing');
  });

  it('shows details as key: value pairs with camelCase keys as words', () => {
    expect(auditDetailsText({ role: 'editor', expiresAt: '2026-12-06', paths: ['a.ts', 'b.ts'], n: 2 })).toBe(
      'role: editor · expires at: 2026-12-06 · paths: a.ts, b.ts · n: 2',
    );
    expect(auditDetailsText({})).toBe('');
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('joins rows with CRLF after a header', () => {
    expect(toCsv(['a', 'b'], [['1', '2,3']])).toBe('a,b\r\n1,"2,3"\r\n');
  });
});

describe('adminAuditInput', () => {
  it('takes an action or a family of actions, and refuses anything else', () => {
    expect(adminAuditInput.parse({ action: 'task.' }).action).toBe('task.');
    expect(adminAuditInput.parse({ action: 'task.accept' }).action).toBe('task.accept');
    expect(adminAuditInput.safeParse({ action: "x' or 1=1" }).success).toBe(false);
  });
});
