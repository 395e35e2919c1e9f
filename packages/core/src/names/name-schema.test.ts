import { describe, expect, it } from 'vitest';
import { signUpInput } from '../auth/schemas.ts';
import { createWorkspaceInput, renameWorkspaceInput } from '../workspace/schemas.ts';
import { findUnsafeNameCharacter, nameSchema } from './name-schema.ts';

const schema = nameSchema({ max: 20, required: 'Enter a name' });
const messageOf = (value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
};

describe('nameSchema', () => {
  it.each([
    ['Ada Lovelace'],
    ['Zoë'], // precomposed
    ['محمد'], // right-to-left script itself is fine: only the control characters are refused
    ['میخواهم'.replace('خ', 'خ\u200c')], // Persian needs the zero-width non-joiner
    ['👩‍💻 team'], // ZWJ emoji sequence
    ['🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} ok'], // Scotland's flag is built from tag characters
  ])('accepts %s', (name) => {
    expect(schema.safeParse(name).success).toBe(true);
  });

  it('trims and normalizes to NFC, so look-alike spellings are one name', () => {
    expect(schema.parse('  Zoe\u0308 ')).toBe('Zo\u00eb');
  });

  it.each([
    ['right-to-left override', 'invoice\u202etxt.exe'],
    ['left-to-right override', 'a\u202db'],
    ['right-to-left isolate', 'a\u2067b'],
    ['pop directional isolate', 'a\u2069'],
    ['right-to-left mark', 'a\u200fb'],
    ['Arabic letter mark', 'a\u061cb'],
  ])('refuses a %s with a message about direction controls', (_label, name) => {
    expect(messageOf(name)).toMatch(/text-direction control characters/);
    expect(findUnsafeNameCharacter(name)).toBe('bidi');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['C1 control', 'a\u0085b'],
    ['zero-width space', 'ad\u200bmin'],
    ['word joiner', 'a\u2060b'],
    ['soft hyphen', 'ad\u00admin'],
    ['byte order mark inside', 'a\ufeffb'],
    ['line separator inside', 'a\u2028b'],
    ['Hangul filler', 'a\u3164b'],
    ['lone surrogate', 'a\ud800b'],
    ['stray tag character', 'a\u{e0041}b'],
  ])('refuses a %s as invisible', (_label, name) => {
    expect(messageOf(name)).toMatch(/invisible or control characters/);
  });

  it('refuses empty, blank and over-long names', () => {
    expect(messageOf('')).toBe('Enter a name');
    expect(messageOf('   ')).toBe('Enter a name');
    expect(messageOf('x'.repeat(21))).toBe('Use at most 20 characters');
    expect(messageOf(42)).toBeDefined();
  });

  it('is the rule behind every name schema', () => {
    const rlo = 'evil\u202egnp.js';
    const signUp = signUpInput.safeParse({ email: 'a@b.co', password: 'long enough pw', name: rlo });
    expect(signUp.error?.issues.map((i) => i.path)).toEqual([['name']]);
    expect(createWorkspaceInput.safeParse({ name: rlo }).success).toBe(false);
    const rename = renameWorkspaceInput.safeParse({ workspaceId: crypto.randomUUID(), name: 'a\u200bb' });
    expect(rename.error?.issues[0]?.message).toMatch(/invisible/);
  });
});
