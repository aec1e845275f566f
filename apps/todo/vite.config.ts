import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

// The API the dev server forwards to; `pnpm demo` serves it on this port.
const apiTarget = process.env.DRIFTLESS_API ?? 'http://127.0.0.1:8787'

// The sync API lives on the app's origin; the service worker must never answer for it.
const apiPaths = ['/push', '/pull', '/auth', '/health', '/live', '/events']

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // A new version takes over at once; the outbox is in IndexedDB, so the reload it causes loses no change.
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: 'Driftless todos',
        short_name: 'Todos',
        description: 'An offline-first todo list that syncs when it can.',
        theme_color: '#2f6f5e',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The manifest's icons are precached too; the shell is the built JS, CSS and HTML.
        globPatterns: ['**/*.{js,css,html}'],
        skipWaiting: true,
        clientsClaim: true,
        navigateFallback: 'index.html',
        navigateFallbackDenylist: apiPaths.map((path) => new RegExp(`^${path}(/|$)`)),
        // Explicit, so no caching rule added later can catch a sync request. Workbox serialises this function
        // into the service worker, so it must not reach outside itself.
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) =>
              sameOrigin && /^\/(push|pull|auth|health|live|events)(\/|$)/.test(url.pathname),
            handler: 'NetworkOnly',
          },
        ],
      },
    }),
  ],
  resolve: {
    // Workspace packages export their TypeScript source under 'development'; the build bundles that too.
    conditions: ['development', ...defaultClientConditions],
  },
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(apiPaths.map((path) => [path, { target: apiTarget, ws: path === '/live' }])),
  },
})
