// How the workflow code is bundled, for the worker and for the replay of recorded histories alike (not workflow code).

/** Evaluated once per worker thread and shared by all its workflows, rather than once per cached workflow. */
export const PRELOAD_MODULES: readonly string[] = [require.resolve('./preloaded.js')]
