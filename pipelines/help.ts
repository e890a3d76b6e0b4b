// The CLI's help texts, apart from cli.ts so that `segfollow --help` (bin/segfollow.js) prints them without loading
// the command modules: a help page should cost no more than starting Node.
import { DEFAULT_MEMORY_LIMIT } from './memory-limit.ts';
import { FIRST_YEAR, LAST_YEAR, PROGRAMME_LAST_YEAR } from './years.ts';

const COMMON = `Options:
  --year YYYY          report year, ${FIRST_YEAR}–${LAST_YEAR} (default ${PROGRAMME_LAST_YEAR}; the follow-up continues after the programme)
  --demo               start the built-in PxWeb/Kolada emulator over synthetic data and use it as the source
  --offline            use only the raw cache in data/raw (no network)
  --reports LIST       report levels: riket,lan,kommun (default riket)
  --areas CODES        exactly these reports, e.g. 0180,14: a län code (2 digits) gives that län's report
                       (needs lan in --reports), a kommun code (4 digits) that kommun's (needs kommun); a län
                       code does not bring its kommuner: for the kommun reports of a län, list their codes
  --lang sv|en         report language (default sv); en writes the PDF and its HTML twin in English
  --out DIR            output folder (default output/)
  --warehouse FILE     DuckDB warehouse (default data/warehouse.duckdb)
  --log-format F       text (default) or json
  --log-level L        debug, info (default), warn, error
  --refresh            fetch every source (default: only those whose release changed since the last fetch)
  --when-new           (run) build and report only if a source has new data; else "inget nytt", exit 0
  --accept-stale IDS   (run, report) indicators whose data may be older than their lag expects (known delay)
  -h, --help           this help

Environment: SEGFOLLOW_SCB_URL, SEGFOLLOW_KOLADA_URL, SEGFOLLOW_AREA_KEYS_URL, SEGFOLLOW_WAREHOUSE,
SEGFOLLOW_OUT, SEGFOLLOW_LOG_FORMAT, SEGFOLLOW_DISCLOSURE_THRESHOLD, SEGFOLLOW_MEMORY_LIMIT (DuckDB memory_limit,
default ${DEFAULT_MEMORY_LIMIT}; DuckDB spills to <warehouse>.tmp beyond it). A segfollow.config.json in the working
folder sets the same keys (camelCase). Flags win over environment, environment over the file.
Exit codes: 0 done, 1 a stage failed, 2 usage or bad input, 3 another run holds the lock.`;

export const HELP: Record<string, string> = {
  main: `segfollow — annual follow-up of segregation in Sweden (reform programme 2017–2025)

Usage: segfollow <command> [options]

Commands:
  run        every stage for a report year: areas, ingest, build, report
  ingest     fetch the sources (SCB PxWeb, Kolada) into the warehouse
  build      compute indicators, disclosure control and segregation measures
  report     render PDF reports, data exports and manifest.json into output/<year>/
  indices    segregation indices for your own count table (CSV or Parquet)
  area-types socio-economic area types (områdestyper) for your own table (CSV or Parquet)
  sources    list the indicator catalogue and the source tables it rests on (--check: against SCB's metadata)
  status     what the last run did, from its manifest (--history: past runs, from the warehouse)

Run "segfollow <command> --help" for the options of a command.`,
  run: `segfollow run — every stage for a report year\n\nUsage: segfollow run [options]\n\n${COMMON}`,
  ingest: `segfollow ingest — fetch every source table and KPI into the warehouse (and data/raw)\n\nUsage: segfollow ingest [options]\n\n${COMMON}`,
  build: `segfollow build — indicators, disclosure control and segregation measures from the observations\n\nUsage: segfollow build [options]\n\n${COMMON}`,
  report: `segfollow report — PDF reports, CSV exports and manifest.json into output/<year>/\n\nUsage: segfollow report [options]\n\n${COMMON}`,
  sources: `segfollow sources — the indicator catalogue and source tables (tab-separated on stdout)

Usage: segfollow sources
       segfollow sources --check [--live [--update]] [--json]
       segfollow sources --due [--year YYYY] [--offline] [--demo] [--json]

Without --check: one row per indicator and source (indicator, policy_area, unit, levels, source, years, title_sv):
the levels each source serves, "(summerat från DeSO)" where the pipeline sums them from DeSO, and the years the
catalogue's sources hold.

  --check       check data/sources.json (and data/indicators.json) against SCB's table metadata stored in
                data/metadata/scb, offline: one line per problem (ERROR or WARNING, table, variable, what, [file]),
                then a summary; exit 1 if any problem is an error, else 0
  --live        check against SCB's live metadata instead ({SEGFOLLOW_SCB_URL}/tables/{id}/metadata?lang=en,
                throttled and retried) and print what changed since the stored copies (CHANGED lines)
  --update      with --live: rewrite data/metadata/scb/<id>.json with SCB's answer (Region cut as before)
  --json        one JSON object on stdout instead of lines
  --due         release watch, one row per indicator and source: the latest year in the warehouse, the latest
                year the source publishes now (SCB's lastPeriod, Kolada's publ_period once published; "-" with
                --offline), the year the report year expects from the indicator's lag, and the status (ok, stale,
                known, accepted, optional). Exit 0; a stale required indicator is what stops "segfollow run"`,
  status: `segfollow status — what the last run for a year did, from output/<year>/manifest.json

Usage: segfollow status [--year YYYY] [--out DIR] [--json]
       segfollow status --history [--limit N] [--warehouse FILE] [--json]

Without --history: the manifest of the last published run for the year (--json or --log-format json: as JSON).

  --history     past runs from the warehouse, newest first: start and end, command and arguments, outcome,
                each stage's outcome and duration, responses fetched per source, reports written. The warehouse
                is opened read-only and never created: no warehouse file (in an existing folder) prints
                "no runs yet" and exits 0; a folder that does not exist or a file that is not a DuckDB
                warehouse exits 2; a run holding the warehouse open exits 3 at once
  --limit N     with --history: the N latest runs (default 20)
  --json        one JSON object on stdout ({ warehouse, runs: [...] } with --history) instead of text`,
};
