// The app's small set of building blocks, so every screen shares one look: buttons, fields, badges, states.
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from 'react';
import { forwardRef, useId } from 'react';
import { Link } from 'wouter';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';
type Size = 'sm' | 'md';

const variants: Record<Variant, string> = {
  primary: 'bg-indigo-600 text-white hover:bg-indigo-700 disabled:bg-indigo-300',
  secondary: 'bg-white text-zinc-800 ring-1 ring-inset ring-zinc-300 hover:bg-zinc-50 disabled:text-zinc-400',
  ghost: 'text-zinc-700 hover:bg-zinc-100 disabled:text-zinc-400',
  danger: 'bg-red-600 text-white hover:bg-red-700 disabled:bg-red-300',
};
const sizes: Record<Size, string> = { sm: 'h-7 px-2 text-xs gap-1', md: 'h-9 px-3 text-sm gap-1.5' };

export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(' ');
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: Size;
  busy?: boolean;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  {
    variant = 'secondary',
    size = 'md',
    busy = false,
    className,
    children,
    disabled,
    type = 'button',
    ...rest
  },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      disabled={disabled === true || busy}
      aria-busy={busy || undefined}
      className={cx(
        'inline-flex shrink-0 items-center justify-center rounded-md font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed',
        variants[variant],
        sizes[size],
        className,
      )}
      {...rest}
    >
      {busy ? <Spinner className="size-3.5" /> : null}
      {children}
    </button>
  );
});

/** A button that shows only an icon: the label is required and becomes its accessible name and tooltip. */
export const IconButton = forwardRef<HTMLButtonElement, ButtonProps & { label: string }>(function IconButton(
  { label, className, variant = 'ghost', size = 'sm', ...rest },
  ref,
) {
  return (
    <Button
      ref={ref}
      aria-label={label}
      title={label}
      variant={variant}
      size={size}
      className={cx('w-7 px-0', className)}
      {...rest}
    />
  );
});

export interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
}

export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field(
  { label, error, hint, className, id, ...rest },
  ref,
) {
  const auto = useId();
  const inputId = id ?? auto;
  const describedBy = error ? `${inputId}-error` : hint ? `${inputId}-hint` : undefined;
  return (
    <div className={cx('grid gap-1', className)}>
      <label htmlFor={inputId} className="text-sm font-medium text-zinc-800">
        {label}
      </label>
      <input
        ref={ref}
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cx(
          'h-9 rounded-md border bg-white px-3 text-sm text-zinc-900 placeholder:text-zinc-500',
          error ? 'border-red-500' : 'border-zinc-300',
        )}
        {...rest}
      />
      {error ? (
        <p id={`${inputId}-error`} className="text-xs text-red-700">
          {error}
        </p>
      ) : hint ? (
        <p id={`${inputId}-hint`} className="text-xs text-zinc-600">
          {hint}
        </p>
      ) : null}
    </div>
  );
});

export function Spinner({ className }: { className?: string }) {
  return (
    <svg
      className={cx('animate-spin', className ?? 'size-4')}
      viewBox="0 0 24 24"
      fill="none"
      aria-hidden="true"
    >
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity="0.25" strokeWidth="4" />
      <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}

const badgeTones = {
  neutral: 'bg-zinc-100 text-zinc-700 ring-zinc-300',
  indigo: 'bg-indigo-50 text-indigo-800 ring-indigo-200',
  green: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  amber: 'bg-amber-50 text-amber-900 ring-amber-200',
  red: 'bg-red-50 text-red-800 ring-red-200',
} as const;
export type BadgeTone = keyof typeof badgeTones;

export function Badge({
  tone = 'neutral',
  children,
  title,
}: {
  tone?: BadgeTone;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span
      title={title}
      className={cx(
        'inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset',
        badgeTones[tone],
      )}
    >
      {children}
    </span>
  );
}

export const roleTone = { owner: 'indigo', editor: 'green', reviewer: 'amber' } as const satisfies Record<
  string,
  BadgeTone
>;

/** Loading, empty and failed states share one centred layout so no screen is ever blank. */
export function PageState({
  title,
  children,
  tone = 'neutral',
  busy = false,
}: {
  title: string;
  children?: ReactNode;
  tone?: 'neutral' | 'error';
  busy?: boolean;
}) {
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className="flex h-full min-h-48 flex-col items-center justify-center gap-2 p-8 text-center"
    >
      {busy ? <Spinner className="size-6 text-indigo-600" /> : null}
      <p className={cx('text-base font-semibold', tone === 'error' ? 'text-red-800' : 'text-zinc-800')}>
        {title}
      </p>
      {children ? <div className="max-w-md text-sm text-zinc-600">{children}</div> : null}
    </div>
  );
}

/** A dead end (no access, not found) that always offers the way back home. */
export function DeadEnd({
  title,
  detail,
  tone = 'error',
}: {
  title: string;
  detail?: string;
  tone?: 'neutral' | 'error';
}) {
  return (
    <PageState title={title} tone={tone}>
      {detail ? <p>{detail}</p> : null}
      <p className="mt-3">
        <Link href="/" className="text-indigo-700 underline">
          Go to your workspaces
        </Link>
      </p>
    </PageState>
  );
}

export function Logo() {
  return (
    <span className="inline-flex items-center gap-2 font-semibold text-zinc-900">
      <svg viewBox="0 0 24 24" className="size-6" aria-hidden="true">
        <rect width="24" height="24" rx="6" fill="#4f46e5" />
        <path d="M6 8h12M12 8v10" stroke="white" strokeWidth="2.5" strokeLinecap="round" />
        <circle cx="17.5" cy="16.5" r="2" fill="#a5b4fc" />
      </svg>
      Tandem
    </span>
  );
}
