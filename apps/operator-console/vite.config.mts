import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const appDir = fileURLToPath(new URL('.', import.meta.url));
const workspaceRoot = fileURLToPath(new URL('../..', import.meta.url));

// The BFF in dev (`nx serve operator-console`); the Vite dev server forwards API calls to it.
const bffUrl = `http://127.0.0.1:${process.env['CONSOLE_PORT'] ?? '4002'}`;

export default defineConfig({
  root: appDir,
  publicDir: 'public',
  cacheDir: `${workspaceRoot}node_modules/.vite/operator-console`,
  plugins: [react()],
  resolve: {
    // The SPA may use the pure contract types and constants, never server code.
    alias: { '@orch/contracts': `${workspaceRoot}libs/contracts/src/index.ts` },
  },
  server: {
    host: '127.0.0.1',
    port: 4200,
    proxy: { '/api': bffUrl },
  },
  build: {
    outDir: `${workspaceRoot}dist/apps/operator-console/spa`,
    emptyOutDir: true,
    // Nothing inlined: the CSP allows scripts, styles and images from 'self' only (data: images aside).
    assetsInlineLimit: 0,
  },
  test: {
    root: appDir,
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
