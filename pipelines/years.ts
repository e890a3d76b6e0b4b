// The report years, apart from config.ts so that `segfollow --help` (help.ts) loads this module alone rather than
// the configuration and what it imports: each module Node loads adds to a help page that should cost no more than
// starting Node.

/**
 * The programme runs 2017–2025 (PROGRAMME_LAST_YEAR), but the delegation's follow-up goes on, and 2025 data arrive
 * in 2026–2027: report years up to LAST_YEAR are accepted. Every series starts in FIRST_YEAR, with BASELINE_YEAR (the
 * year before the programme) where every source of an indicator publishes it.
 */
export const FIRST_YEAR = 2017;
export const BASELINE_YEAR = 2016;
export const PROGRAMME_LAST_YEAR = 2025;
export const LAST_YEAR = 2030;
