import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { diffLines, UnifiedDiff } from './unified-diff.tsx';

const DIFF = '--- a/README.md\n+++ b/README.md\n@@ -1,1 +1,2 @@\n # App\n-Old\n+Written by Bob.\n';

describe('UnifiedDiff', () => {
  it('tells each line of a unified diff apart', () => {
    expect(diffLines(DIFF).map((l) => l.kind)).toEqual([
      'header',
      'header',
      'hunk',
      'context',
      'removed',
      'added',
    ]);
    expect(diffLines('')).toEqual([]);
    expect(diffLines('Binary file changed').map((l) => l.kind)).toEqual(['note']);
  });

  it('says added and removed in words, and can be scrolled from the keyboard', () => {
    const html = renderToStaticMarkup(<UnifiedDiff diff={DIFF} label="Changes in README.md" />);
    expect(html).toContain('tabindex="0"');
    expect(html).toContain('aria-label="Changes in README.md"');
    expect(html).toContain('<span class="sr-only">added: </span>+Written by Bob.');
    expect(html).toContain('<span class="sr-only">removed: </span>-Old');
    expect(renderToStaticMarkup(<UnifiedDiff diff="" label="x" />)).toContain('No line changes.');
  });
});
