import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The directory of this file, i.e. `web/`, whatever the working directory of the build. */
const webRoot = decodeURIComponent(new URL('.', import.meta.url).pathname);

const backend = 'http://localhost:8080';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
    },
  },
});
