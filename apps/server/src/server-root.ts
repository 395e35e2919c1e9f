// The server package's folder, for files that ship beside the code (migrations, the built web app). This module sits
// one level below it both as source (src/) and once bundled (dist/), so the same relative URL works for both.
import { fileURLToPath } from 'node:url';

export const serverRoot = fileURLToPath(new URL('..', import.meta.url));
