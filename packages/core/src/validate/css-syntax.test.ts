import { describe, expect, it } from 'vitest';
import { checkCssSyntax, isCssFile } from './css-syntax.ts';

describe('checkCssSyntax', () => {
  it('passes valid modern CSS', () => {
    const css = `@import url('reset.css');
:root { --accent: oklch(70% 0.1 200); }
@media (min-width: 40rem) {
  .card:hover > .title::after { content: "→"; color: var(--accent); }
}
@layer base { html { font: 16px/1.5 system-ui, sans-serif; } }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); }
`;
    expect(checkCssSyntax('src/app.css', css)).toEqual([]);
  });

  it('reports an unclosed block where it opens', () => {
    const css = '.a { color: red; }\n.b {\n  color: blue;\n';
    expect(checkCssSyntax('src/app.css', css)).toEqual([
      { path: 'src/app.css', line: 2, column: 1, severity: 'error', message: 'Unclosed block', rule: 'css' },
    ]);
  });

  it('reports a missed semicolon, an unclosed string and a stray brace', () => {
    expect(checkCssSyntax('a.css', '.a {\n  color: red\n  background: blue;\n}\n')[0]).toMatchObject({
      line: 2,
      message: 'Missed semicolon',
    });
    expect(checkCssSyntax('b.css', '.a { content: "oops; }\n')[0]).toMatchObject({
      line: 1,
      message: 'Unclosed string',
    });
    expect(checkCssSyntax('c.css', '.a { color: red; }\n}\n')[0]).toMatchObject({
      line: 2,
      column: 1,
      message: 'Unexpected }',
    });
  });

  it('applies to .css files only', () => {
    expect(isCssFile('a.css')).toBe(true);
    expect(isCssFile('a.scss')).toBe(false);
  });
});
