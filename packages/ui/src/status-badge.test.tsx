import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StatusBadge, statusColors } from './status-badge.tsx';

function luminance(hex: string) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('StatusBadge', () => {
  it('names its state for assistive technology', () => {
    const html = renderToStaticMarkup(
      <StatusBadge tone="warn" label="Reconnecting" description="Reconnecting to the server" />,
    );
    expect(html).toContain('role="status"');
    expect(html).toContain('aria-label="Reconnecting to the server"');
    expect(html).toContain('>Reconnecting<');
  });

  it.each(['ok', 'warn', 'error', 'neutral'] as const)('%s colours meet WCAG AA contrast', (tone) => {
    const { bg, fg } = statusColors(tone);
    const [hi, lo] = [luminance(bg), luminance(fg)].sort((a, b) => b - a) as [number, number];
    expect((hi + 0.05) / (lo + 0.05)).toBeGreaterThanOrEqual(4.5);
  });
});
