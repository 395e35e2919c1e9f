// A small pill that names a state in words (never colour alone), e.g. a connection or a member role.
export type StatusTone = 'ok' | 'warn' | 'error' | 'neutral';

export interface StatusBadgeProps {
  tone: StatusTone;
  label: string;
  /** Longer text for assistive technology and the tooltip. */
  description?: string;
}

const colors: Record<StatusTone, { bg: string; fg: string }> = {
  ok: { bg: '#dcfce7', fg: '#166534' },
  warn: { bg: '#fef3c7', fg: '#92400e' },
  error: { bg: '#fee2e2', fg: '#991b1b' },
  neutral: { bg: '#e5e7eb', fg: '#374151' },
};

export function statusColors(tone: StatusTone) {
  return colors[tone];
}

export function StatusBadge({ tone, label, description }: StatusBadgeProps) {
  const { bg, fg } = statusColors(tone);
  return (
    <span
      role="status"
      aria-label={description ?? label}
      title={description}
      style={{
        background: bg,
        color: fg,
        borderRadius: '999px',
        padding: '0.1rem 0.6rem',
        fontSize: '0.8rem',
        fontWeight: 600,
      }}
    >
      {label}
    </span>
  );
}
