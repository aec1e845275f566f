// The bundle budget (issue #12): a React app's Driftless, minified + gzipped, with dexie and react external.
const imports = {
  'packages/core/dist/index.js': '{ createSyncClient, HttpTransport }',
  'packages/react/dist/index.js':
    '{ SyncProvider, useSyncStatus, useSync, OfflineBanner, SyncStatus, RetryButton }',
}
const shared = {
  path: Object.keys(imports),
  import: imports,
  ignore: ['dexie', 'react', 'react-dom'],
  gzip: true,
}

/** Leaves out what only a dynamic `import()` reaches, as an app's bundler would put it in a chunk of its own. */
const lazyChunksApart = {
  name: 'lazy-chunks-apart',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    )
  },
}

export default [
  {
    ...shared,
    name: 'createSyncClient + HttpTransport + React components, with every lazy chunk (min + gzip, peers external)',
    limit: '28 kB',
  },
  {
    ...shared,
    // What a page loads before it can render: the credential cache and backfill are chunks of their own,
    // fetched only by apps that pass fetchCredentials or call backfill().
    name: 'the same, loaded at start (lazy chunks split off)',
    modifyEsbuildConfig: (config) => ({ ...config, plugins: [lazyChunksApart] }),
    limit: '26.5 kB',
  },
]
