/**
 * DuckDB's memory_limit for the warehouse when none is configured (SEGFOLLOW_MEMORY_LIMIT, memoryLimit). Its own
 * module, without imports, so that the help text and the error messages name it without loading DuckDB (db.ts loads
 * its node-api; `segfollow --help` must not).
 *
 * DuckDB's own default is 80 % of the machine's memory, and it keeps what it took: a demo build held 1.67 GB at its
 * peak, against 0.89 GB with 400 MB, in the same time (issue 10 goal 5: a demo run under 1 GB). The build works at
 * the limit (the area types and checks), so the limit sets the build's peak: `segfollow build --demo`, 3 runs each,
 * alternating, quiet machine (6 Dec 2026): 500MB peak 887–917 MB, 19.2–19.4 s, user CPU 29.3–31.8 s; 300MB 667–706
 * MB, 18.6–20.0 s, 28.0–31.5 s. It still completes at 200MB (600 MB, spilling), not at 120MB. Beyond the limit DuckDB
 * spills to <warehouse>.tmp.
 */
export const DEFAULT_MEMORY_LIMIT = '300MB';
