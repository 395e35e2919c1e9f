// The left pane: the live file tree with create, rename, move, delete, upload (files, folder, archive) and
// download. Structural changes go through the server so path rules and limits apply in one place.
import { FileTree } from '@tandem/ui/file-tree';
import { describeUpload, uploadPercent, type UploadProgress } from '@tandem/ui/upload-progress';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRef, useState, type ChangeEvent } from 'react';
import { useToast } from '../components/toast.tsx';
import { Button, IconButton } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import type { PresenceMember } from './use-presence.ts';
import { archiveContentType, batches, isArchive, pickedPath, postWithProgress, toBase64 } from './upload.ts';

export function FilePane({
  workspaceId,
  paths,
  binarySizes,
  selected,
  readOnly,
  presence,
  onOpen,
  onRenamed,
}: {
  workspaceId: string;
  paths: string[];
  binarySizes: ReadonlyMap<string, number>;
  selected: string | null;
  readOnly: boolean;
  presence: PresenceMember[];
  onOpen: (path: string) => void;
  onRenamed: (from: string, to: string) => void;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const archiveInput = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);
  // The last upload's progress; stays up with its totals when done, until the next upload or Dismiss.
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const fail = (title: string) => (error: unknown) =>
    toast({ title, description: errorMessage(error), tone: 'error' });
  const create = useMutation(
    trpc.file.create.mutationOptions({
      onSuccess: (_r, input) => onOpen(input.path),
      onError: fail('Could not create'),
    }),
  );
  const rename = useMutation(
    trpc.file.rename.mutationOptions({
      onSuccess: (_r, input) => onRenamed(input.from, input.to),
      onError: fail('Could not rename'),
    }),
  );
  const remove = useMutation(trpc.file.delete.mutationOptions({ onError: fail('Could not delete') }));
  const upload = useMutation(trpc.file.upload.mutationOptions());
  const [template, setTemplate] = useState('');
  const templates = useQuery({ ...trpc.workspace.templates.queryOptions(), enabled: !readOnly });
  const applyTemplate = useMutation(
    trpc.workspace.applyTemplate.mutationOptions({
      onSuccess: (result) =>
        toast({ title: `Added ${result.files} files from the template`, tone: 'success' }),
      onError: fail('Could not add the template'),
    }),
  );

  const others: Record<string, { name: string; color: string }[]> = {};
  for (const m of presence) {
    if (m.isSelf || !m.path) continue;
    (others[m.path] ??= []).push({ name: m.name, color: m.color });
  }

  const uploadFiles = async (event: ChangeEvent<HTMLInputElement>) => {
    const picked = [...(event.target.files ?? [])].map((file) => ({ path: pickedPath(file), file }));
    event.target.value = '';
    if (picked.length === 0) return;
    setUploading(true);
    const bytesTotal = picked.reduce((sum, p) => sum + p.file.size, 0);
    let state: UploadProgress = {
      filesDone: 0,
      filesTotal: picked.length,
      bytesDone: 0,
      bytesTotal,
      done: false,
    };
    setProgress(state);
    try {
      for (const batch of batches(picked)) {
        const files = await Promise.all(
          batch.map(async ({ path, file }) => ({
            path,
            base64: toBase64(new Uint8Array(await file.arrayBuffer())),
          })),
        );
        await upload.mutateAsync({ workspaceId, files, overwrite: false });
        state = {
          ...state,
          filesDone: state.filesDone + batch.length,
          bytesDone: state.bytesDone + batch.reduce((sum, p) => sum + p.file.size, 0),
        };
        setProgress(state);
      }
      setProgress({ ...state, done: true });
      const count = state.filesDone;
      toast({ title: `Uploaded ${count} file${count === 1 ? '' : 's'}`, tone: 'success' });
    } catch (error) {
      setProgress(null);
      fail('Upload stopped')(error);
    } finally {
      setUploading(false);
    }
  };

  const uploadArchive = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    if (!isArchive(file.name)) {
      toast({ title: 'Not an archive', description: 'Choose a .zip, .tar.gz or .tgz file.', tone: 'error' });
      return;
    }
    setUploading(true);
    // The file count is known only once the server has unpacked the archive.
    const start: UploadProgress = {
      filesDone: 0,
      filesTotal: 0,
      bytesDone: 0,
      bytesTotal: file.size,
      done: false,
    };
    setProgress(start);
    try {
      const response = await postWithProgress(
        `/api/workspaces/${workspaceId}/upload?stripRoot=true`,
        file,
        archiveContentType(file.name),
        (sent, total) => setProgress({ ...start, bytesDone: sent, bytesTotal: total }),
      );
      const body = response.json as { files?: number; error?: { message?: string } } | null;
      if (response.status < 200 || response.status >= 300)
        throw new Error(body?.error?.message ?? `Upload failed (${response.status})`);
      const count = body?.files ?? 0;
      setProgress({ ...start, bytesDone: file.size, filesDone: count, filesTotal: count, done: true });
      toast({ title: `Unpacked ${count} files from ${file.name}`, tone: 'success' });
    } catch (error) {
      setProgress(null);
      toast({
        title: 'Archive upload failed',
        description: error instanceof Error ? error.message : '',
        tone: 'error',
      });
    } finally {
      setUploading(false);
    }
  };

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="min-h-0 flex-1 overflow-auto py-1">
        <FileTree
          ariaLabel="Files"
          paths={paths}
          binarySizes={binarySizes}
          selected={selected ?? undefined}
          readOnly={readOnly}
          presence={others}
          onOpen={onOpen}
          onCreate={(path) => create.mutate({ workspaceId, path, content: '' })}
          onRename={(from, to) => rename.mutate({ workspaceId, from, to })}
          onMove={(from, toFolder) => {
            const name = from.split('/').pop() ?? from;
            const to = toFolder ? `${toFolder}/${name}` : name;
            if (to !== from) rename.mutate({ workspaceId, from, to });
          }}
          onDelete={(path) => {
            if (window.confirm(`Delete ${path}? Everyone in the workspace loses it.`)) {
              remove.mutate({ workspaceId, path });
            }
          }}
          emptyState={
            readOnly ? undefined : (
              <section aria-labelledby="empty-files-heading" className="grid gap-2 px-3 py-2 text-sm">
                <h2 id="empty-files-heading" className="font-semibold text-zinc-900">
                  No files yet
                </h2>
                <p className="text-zinc-700">
                  Bring your project in, or use “New file” above to start from scratch.
                </p>
                <Button size="sm" variant="primary" onClick={() => archiveInput.current?.click()}>
                  Upload a .zip or .tar.gz
                </Button>
                <Button size="sm" onClick={() => folderInput.current?.click()}>
                  Upload a folder
                </Button>
                <Button size="sm" onClick={() => filesInput.current?.click()}>
                  Upload some files
                </Button>
                {templates.data && templates.data.length > 0 ? (
                  <form
                    className="grid gap-1 pt-1"
                    onSubmit={(event) => {
                      event.preventDefault();
                      if (template) applyTemplate.mutate({ workspaceId, template });
                    }}
                  >
                    <label htmlFor="empty-template" className="text-zinc-700">
                      Or start from a template
                    </label>
                    <select
                      id="empty-template"
                      value={template}
                      onChange={(e) => setTemplate(e.target.value)}
                      className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
                    >
                      <option value="">Choose a template…</option>
                      {templates.data.map((t) => (
                        <option key={t.id} value={t.id}>
                          {t.name}
                        </option>
                      ))}
                    </select>
                    <Button size="sm" type="submit" disabled={!template} busy={applyTemplate.isPending}>
                      Add its files
                    </Button>
                  </form>
                ) : null}
              </section>
            )
          }
        />
      </div>
      {progress ? (
        <div role="status" className="grid gap-1 border-t border-zinc-200 px-2 py-1.5 text-xs text-zinc-800">
          <progress
            aria-label="Upload progress"
            max={100}
            value={uploadPercent(progress)}
            className="h-1.5 w-full accent-indigo-600"
          />
          <div className="flex items-center gap-2">
            <span className="min-w-0 flex-1">{describeUpload(progress)}</span>
            {progress.done ? (
              <button
                type="button"
                className="text-indigo-700 hover:underline"
                onClick={() => setProgress(null)}
              >
                Dismiss
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
      <div className="flex h-9 shrink-0 items-center gap-0.5 border-t border-zinc-200 px-2">
        <span className="flex-1 text-xs text-zinc-600">
          {paths.length} file{paths.length === 1 ? '' : 's'}
        </span>
        {readOnly ? null : (
          <>
            <IconButton label="Upload files" busy={uploading} onClick={() => filesInput.current?.click()}>
              <Glyph d="M12 16V4m0 0-4 4m4-4 4 4M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3" />
            </IconButton>
            <IconButton label="Upload folder" onClick={() => folderInput.current?.click()}>
              <Glyph d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zm9 3v6m-3-3 3-3 3 3" />
            </IconButton>
            <IconButton label="Upload archive (.zip, .tar.gz)" onClick={() => archiveInput.current?.click()}>
              <Glyph d="M4 4h16v4H4zm1 4v11h14V8M10 12h4" />
            </IconButton>
          </>
        )}
        <a
          href={`/api/workspaces/${workspaceId}/archive`}
          download
          aria-label="Download workspace as archive"
          title="Download workspace as archive"
          className="inline-flex size-7 items-center justify-center rounded-md text-zinc-700 hover:bg-zinc-100"
        >
          <Glyph d="M12 4v12m0 0 4-4m-4 4-4-4M4 20h16" />
        </a>
        <input ref={filesInput} type="file" multiple hidden onChange={(e) => void uploadFiles(e)} />
        <input
          ref={folderInput}
          type="file"
          hidden
          onChange={(e) => void uploadFiles(e)}
          {...{ webkitdirectory: '', directory: '' }}
        />
        <input
          ref={archiveInput}
          type="file"
          hidden
          accept=".zip,.tar.gz,.tgz"
          onChange={(e) => void uploadArchive(e)}
        />
      </div>
    </div>
  );
}

export function Glyph({ d, className }: { d: string; className?: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      className={className ?? 'size-4'}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={d} />
    </svg>
  );
}
