import type { MessageId } from './messages.ts';
import { redactText } from './sources/redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Warnings carry an id from the message catalogue so that logs and reports can be grepped by it. */
  warn(id: MessageId, msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A progress bar on a terminal; nothing in json mode or when stderr is not a TTY. */
  progress(label: string, done: number, total: number): void;
}

/** Where text goes: process.stderr, or anything with a write method (tests collect lines). */
export interface TextSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  format: LogFormat;
  level: LogLevel;
  stream?: TextSink;
  now?: () => Date;
}

/** Logs go to stderr; stdout carries only what a command is asked to print. */
export function createLogger(opts: LoggerOptions): Logger {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => new Date());
  const tty = Boolean(stream.isTTY) && opts.format === 'text';
  let barShown = false;

  const clearBar = (): void => {
    if (barShown) {
      stream.write('\r\x1b[K');
      barShown = false;
    }
  };

  const emit = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}, id?: string): void => {
    if (ORDER[level] < ORDER[opts.level]) return;
    // Credentials in a source URL never reach a log line, whoever wrote the message (sources/redact.ts).
    msg = redactText(msg);
    fields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? redactText(v) : v]));
    const t = now();
    if (opts.format === 'json') {
      stream.write(JSON.stringify({ time: t.toISOString(), level, ...(id ? { id } : {}), msg, ...fields }) + '\n');
      return;
    }
    clearBar();
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const clock = t.toISOString().slice(11, 19);
    stream.write(`${clock} ${level.toUpperCase().padEnd(5)} ${id ? `[${id}] ` : ''}${msg}${extra ? '  ' + extra : ''}\n`);
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (id, m, f) => emit('warn', m, f, id),
    error: (m, f) => emit('error', m, f),
    progress(label, done, total) {
      if (!tty || total <= 0) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      stream.write(`\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      barShown = done < total;
      if (done >= total) stream.write('\r\x1b[K');
    },
  };
}
