// Browser files into the workspace: plain files and folders go through `file.upload` in batches under the body
// limit; zip and tar.gz archives go as raw bytes to the upload route, which unpacks them on the server.

export interface PickedFile {
  path: string;
  file: File;
}

const BATCH_BYTES = 600_000;

export function isArchive(name: string): boolean {
  return /\.(zip|tar\.gz|tgz)$/i.test(name);
}

export function archiveContentType(name: string): string {
  return /\.zip$/i.test(name) ? 'application/zip' : 'application/gzip';
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Groups picked files into batches whose base64 bodies stay under the server's request limit. */
export function batches<T extends { file: { size: number } }>(
  picked: readonly T[],
  limit = BATCH_BYTES,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of picked) {
    const encoded = Math.ceil(item.file.size / 3) * 4;
    if (current.length > 0 && (size + encoded > limit || current.length >= 200)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += encoded;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The path a picked file should get: its folder-relative path for folder uploads, else its name. */
export function pickedPath(file: File): string {
  return file.webkitRelativePath || file.name;
}

/**
 * POSTs `body` with upload progress, which `fetch` cannot report: `onProgress(sent, total)` as bytes leave.
 * Resolves with the status and the parsed JSON body (null when it is not JSON); rejects on a network failure.
 */
export function postWithProgress(
  url: string,
  body: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : body.size);
    xhr.onload = () => {
      let json: unknown;
      try {
        json = JSON.parse(xhr.responseText) as unknown;
      } catch {
        json = null;
      }
      resolve({ status: xhr.status, json });
    };
    xhr.onerror = () => reject(new Error('The upload was cut off: check the connection and try again.'));
    xhr.send(body);
  });
}
