// Error and success toasts, announced politely to screen readers (Radix Toast handles focus and the live region).
import { Toast } from 'radix-ui';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { cx } from './ui.tsx';

export interface ToastInput {
  title: string;
  description?: string;
  tone?: 'info' | 'error' | 'success';
}
interface ToastItem extends ToastInput {
  id: number;
}

const ToastContext = createContext<(toast: ToastInput) => void>(() => undefined);

export function useToast() {
  return useContext(ToastContext);
}

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const push = useCallback((toast: ToastInput) => {
    setItems((list) => [...list.slice(-3), { ...toast, id: nextId++ }]);
  }, []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      <Toast.Provider swipeDirection="right" duration={6000}>
        {children}
        {items.map((item) => (
          <Toast.Root
            key={item.id}
            type={item.tone === 'error' ? 'foreground' : 'background'}
            onOpenChange={(open) => {
              if (!open) setItems((list) => list.filter((t) => t.id !== item.id));
            }}
            className={cx(
              'grid gap-1 rounded-lg border bg-white p-3 pr-8 shadow-lg',
              item.tone === 'error'
                ? 'border-red-300'
                : item.tone === 'success'
                  ? 'border-emerald-300'
                  : 'border-zinc-200',
            )}
          >
            <Toast.Title
              className={cx(
                'text-sm font-semibold',
                item.tone === 'error' ? 'text-red-800' : 'text-zinc-900',
              )}
            >
              {item.title}
            </Toast.Title>
            {item.description ? (
              <Toast.Description className="text-sm text-zinc-700">{item.description}</Toast.Description>
            ) : null}
            <Toast.Close
              aria-label="Dismiss"
              className="absolute top-2 right-2 rounded px-1 text-zinc-600 hover:bg-zinc-100"
            >
              ×
            </Toast.Close>
          </Toast.Root>
        ))}
        <Toast.Viewport className="fixed right-4 bottom-4 z-50 grid w-96 max-w-[calc(100vw-2rem)] gap-2" />
      </Toast.Provider>
    </ToastContext.Provider>
  );
}
