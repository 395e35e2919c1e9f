// A modal dialog with the app's look; Radix traps focus, restores it on close and closes on Escape.
import { Dialog as D } from 'radix-ui';
import type { ReactNode } from 'react';
import { Button } from './ui.tsx';

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  wide = false,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <D.Portal>
        <D.Overlay className="fixed inset-0 z-40 bg-zinc-900/40" />
        <D.Content
          className={`fixed top-1/2 left-1/2 z-50 grid max-h-[85vh] w-[calc(100vw-2rem)] -translate-x-1/2 -translate-y-1/2 gap-4 overflow-y-auto rounded-xl bg-white p-6 shadow-xl ${wide ? 'max-w-2xl' : 'max-w-md'}`}
        >
          <div className="grid gap-1">
            <D.Title className="text-lg font-semibold text-zinc-900">{title}</D.Title>
            {description ? (
              <D.Description className="text-sm text-zinc-600">{description}</D.Description>
            ) : (
              <D.Description className="sr-only">{title}</D.Description>
            )}
          </div>
          {children}
          <D.Close
            aria-label="Close"
            className="absolute top-4 right-4 rounded px-1.5 text-lg text-zinc-600 hover:bg-zinc-100"
          >
            ×
          </D.Close>
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

/** Asks before something that cannot be undone; the confirming button names the action. */
export function ConfirmDialog(props: {
  open: boolean;
  onClose: () => void;
  title: string;
  description: string;
  action: string;
  onConfirm: () => void;
  /** `primary` for an action that is not destructive (e.g. accepting a key after checking it). */
  tone?: 'danger' | 'primary';
  /** What to look at before confirming, between the description and the buttons. */
  children?: ReactNode;
}) {
  return (
    <Dialog
      open={props.open}
      onOpenChange={(o) => !o && props.onClose()}
      title={props.title}
      description={props.description}
    >
      {props.children}
      <div className="flex justify-end gap-2">
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          variant={props.tone ?? 'danger'}
          onClick={() => {
            props.onClose();
            props.onConfirm();
          }}
        >
          {props.action}
        </Button>
      </div>
    </Dialog>
  );
}
