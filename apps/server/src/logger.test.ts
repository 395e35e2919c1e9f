import { describe, expect, it } from 'vitest';
import { scrubText, scrubUrl } from './logger.ts';

const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';

describe('scrubUrl', () => {
  it('takes invite tokens out of paths and secret parameters out of query strings', () => {
    expect(scrubUrl(`/invite/${token}`)).toBe('/invite/[Redacted]');
    expect(scrubUrl(`https://t.example/invite/${token}#x`)).toBe('https://t.example/invite/[Redacted]#x');
    const scrubbed = scrubUrl(`/x?token=${token}&api_key=k1&apiKey=k2&password=p&page=2`);
    expect(scrubbed).not.toMatch(new RegExp(`${token}|k1|k2|=p&`));
    expect(scrubbed).toContain('page=2');
  });

  it('looks inside a tRPC input', () => {
    const input = encodeURIComponent(JSON.stringify({ json: { token, workspaceId: 'w1' } }));
    const scrubbed = decodeURIComponent(scrubUrl(`/trpc/workspace.invite.accept?input=${input}`));
    expect(scrubbed).not.toContain(token);
    expect(scrubbed).toContain('"workspaceId":"w1"');
  });

  it('never throws on malformed percent-encoding', () => {
    expect(() => scrubUrl('/%E0%A4%A?token=%E0%A4%A&x=%ZZ')).not.toThrow();
    expect(scrubUrl('/%E0%A4%A?token=%E0')).not.toContain('%E0&');
  });
});

describe('scrubText', () => {
  it('covers JSON bodies, cookie headers and query parameters quoted in messages', () => {
    const text = `failed {"password": "hunter2 2", "apiKey":"sk-1"} tandem_session=abc123; next=1 ?token=${token}`;
    const scrubbed = scrubText(text);
    for (const secret of ['hunter2', 'sk-1', 'abc123', token]) expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('next=1');
  });

  it('drops the parameters of a failed query', () => {
    expect(scrubText('Failed query: insert into sessions values ($1)\nparams: sess-secret,user-1')).toBe(
      'Failed query: insert into sessions values ($1)\nparams: [Redacted]',
    );
  });
});
