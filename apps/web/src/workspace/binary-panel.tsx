// What the centre pane shows for a binary file: its size, a download of the bytes held in the live document, and
// for images a preview. Object URLs (allowed by the CSP's `img-src blob:`) avoid a round trip to the server.
import { formatBytes } from '@tandem/core';
import { useEffect, useState } from 'react';
import { Badge } from '../components/ui.tsx';

const imageTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

export function imageType(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? imageTypes[name.slice(dot + 1).toLowerCase()] : undefined;
}

function useObjectUrl(bytes: Uint8Array, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    // A copy: the Blob must not see later changes to the document's buffer, and it needs a plain ArrayBuffer.
    const next = URL.createObjectURL(new Blob([bytes.slice()], { type }));
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [bytes, type]);
  return url;
}

export function BinaryPanel({
  path,
  bytes,
  readOnly,
}: {
  path: string;
  bytes: Uint8Array;
  readOnly: boolean;
}) {
  const image = imageType(path);
  const url = useObjectUrl(bytes, image ?? 'application/octet-stream');
  const name = path.slice(path.lastIndexOf('/') + 1);
  const size = formatBytes(bytes.byteLength);
  return (
    <section aria-label={`Binary file ${path}`} className="flex h-full min-h-0 flex-col">
      <div className="flex h-9 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white px-3 text-xs">
        <span className="min-w-0 flex-1 truncate font-mono text-zinc-800" title={path}>
          {path}
        </span>
        <span className="text-zinc-600">binary</span>
        {readOnly ? <Badge tone="amber">Read-only</Badge> : null}
      </div>
      <div className="flex min-h-0 flex-1 flex-col items-center gap-4 overflow-auto p-6">
        <p className="text-sm text-zinc-700">
          Binary file, <span data-testid="binary-size">{size}</span> ({bytes.byteLength.toLocaleString('en')}{' '}
          bytes). It cannot be edited here.
        </p>
        {url ? (
          <a
            href={url}
            download={name}
            className="inline-flex h-8 items-center rounded-md border border-zinc-300 bg-white px-3 text-sm font-medium text-zinc-900 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            Download {name}
          </a>
        ) : null}
        {image && url ? (
          <img
            src={url}
            alt={`Preview of ${path}`}
            className="max-h-[70vh] max-w-full border border-zinc-200 bg-[repeating-conic-gradient(#f4f4f5_0_25%,#fff_0_50%)] bg-[length:16px_16px] object-contain"
          />
        ) : null}
      </div>
    </section>
  );
}
