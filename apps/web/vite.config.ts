import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.TANDEM_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      '/trpc': { target: api, ws: true, changeOrigin: false },
      '/yjs': { target: api, ws: true, changeOrigin: false },
      '/api': { target: api, changeOrigin: false },
    },
  },
  // The manifest lets `pnpm bench web` report the size of the first page and of each lazy chunk.
  // No source maps: served from the same directory, they would publish the client's readable source.
  build: { outDir: 'dist', sourcemap: false, manifest: true },
  // The language worker is a module worker, so the TypeScript standard library's .d.ts files it imports lazily stay
  // separate chunks fetched on demand instead of being inlined into it.
  worker: { format: 'es' },
});
