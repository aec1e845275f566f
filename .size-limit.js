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
    // Every lazy chunk inlined into one file, as an app that uses every feature fetches it (plus the
    // lazy-init wrappers esbuild adds to inline them). 30.04 kB after the pull branch (bulk apply in slices,
    // per-change checks of pulled changes, the page-limit report: +1.0 kB, +0.05 kB of it at start).
    // 30.69 kB after the drain's echoes went to a row per batch (#15: +0.2 kB on main's 30.49 kB; a 100,000-change
    // drain went from 56× to 14× the time of a 10,000 one). 30.76 kB with completion by position and the
    // storage-full and database-deleted fixes of session 4 (#11, #15); 30.83 kB once a server reset also clears
    // the rows without a queued edit (#11). Session 5: the drain's in-flight row and bulk completion (+0.73 kB)
    // and the pull's slice budget and prefetch (+0.07 kB) made 31.67 kB; TypeScript `private` members became
    // ECMAScript `#private` ones, whose names the minifier shortens (-1.21 kB): 30.46 kB; 30.55 kB with the
    // next batch taken while a push is on the wire (batch 500 drains in ~17% less time).
    name: 'createSyncClient + HttpTransport + React components, with every lazy chunk (min + gzip, peers external)',
    limit: '30.6 kB',
  },
  {
    ...shared,
    // What a page loads before it can render. Chunks of their own: the upload and pull loops (fetched at
    // connect()), the credential cache (only with fetchCredentials) and backfill() (only if called).
    // 23.005 kB after session 4 (lostChanges, the pause kept through a deleted database, isStorageFullError).
    // Session 5: 23.74 kB with the drain's in-flight row, then 22.82 kB with `#private` members; 22.86 kB with
    // RetryButton's quietSuccess.
    name: 'the same, loaded at start (lazy chunks split off)',
    modifyEsbuildConfig: (config) => ({ ...config, plugins: [lazyChunksApart] }),
    limit: '22.9 kB',
  },
]
