import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import type { TextSink } from './log.ts';

/**
 * `--out` must not name the `--input` file (the same path, or another name of the same file): the output would
 * replace the data it is computed from. Checked before anything is read.
 */
export function checkOutIsNotInput(out: string | null, input: string): void {
  if (out === null) return;
  const a = statOrNull(out);
  const b = statOrNull(input);
  const sameInode = a !== null && b !== null && a.dev === b.dev && a.ino === b.ino && a.ino !== 0;
  if (resolve(out) === resolve(input) || sameInode) {
    throw new UsageError(`--out ${out} is the --input file; it would overwrite the data it is computed from, so write elsewhere`);
  }
}

/**
 * What `indices` and `area-types` print: to stdout, or to `--out FILE` with an error that names the file.
 * A file is written atomically: a temporary file in the same folder, flushed, then renamed over FILE, so a reader
 * never sees half an output and a failed run leaves the previous FILE as it was. A FILE that exists and is not a
 * regular file (/dev/stdout, a FIFO) is written to directly; a folder is refused.
 */
export function writeOutput(text: string, out: string | null, stdout: TextSink): void {
  if (out === null) {
    stdout.write(text);
    return;
  }
  const fail = (e: unknown): UsageError =>
    new UsageError(`${out}: cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  const st = statOrNull(out);
  if (st?.isDirectory()) throw new UsageError(`${out}: is a directory; --out needs a file name`);
  if (st !== null && !st.isFile()) {
    let fd: number;
    try {
      fd = openSync(out, 'w');
    } catch (e) {
      throw fail(e);
    }
    try {
      writeAll(fd, text);
    } catch (e) {
      throw fail(e);
    } finally {
      closeSync(fd);
    }
    return;
  }
  // An existing symlink keeps pointing where it did: the rename replaces its target, not the link.
  let target: string;
  try {
    target = st === null ? out : realpathSync(out);
  } catch (e) {
    throw fail(e);
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o666);
    try {
      writeAll(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (st !== null) chmodSync(tmp, st.mode & 0o7777);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fail(e);
  }
}

/**
 * Where a command that writes its output file by other means (DuckDB's COPY) puts it before `publishOutputFile`:
 * beside `--out FILE` (its real path, so that a rename replaces it), or in the system's temporary folder for stdout
 * or an existing FILE that is not a regular file. A folder as FILE is refused here, before any work.
 */
export function outputTempPath(out: string | null): string {
  const name = (dir: string, base: string): string => join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  if (out === null) return name(tmpdir(), 'segfollow-output');
  const st = statOrNull(out);
  if (st?.isDirectory()) throw new UsageError(`${out}: is a directory; --out needs a file name`);
  if (st !== null && !st.isFile()) return name(tmpdir(), 'segfollow-output');
  let target: string;
  try {
    target = st === null ? out : realpathSync(out);
  } catch (e) {
    throw new UsageError(`${out}: cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  return name(dirname(target), basename(target));
}

/**
 * Publishes a finished output file `tmp` (from outputTempPath) as writeOutput publishes a text: to stdout, or to
 * `--out FILE` whole (flushed, then renamed over FILE, keeping FILE's mode), or into an existing FILE that is not a
 * regular file. `tmp` is gone afterwards, whatever happens.
 */
export function publishOutputFile(tmp: string, out: string | null, stdout: TextSink): void {
  const fail = (e: unknown): UsageError =>
    new UsageError(`${out}: cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  try {
    const st = out === null ? null : statOrNull(out);
    if (out === null || (st !== null && !st.isFile())) {
      let fd: number | null = null;
      try {
        if (out !== null) fd = openSync(out, 'w');
      } catch (e) {
        throw fail(e);
      }
      try {
        copyChunks(tmp, (chunk, text) => {
          if (fd === null) stdout.write(text());
          else writeAll(fd, chunk);
        });
      } catch (e) {
        throw out === null ? e : fail(e);
      } finally {
        if (fd !== null) closeSync(fd);
      }
      return;
    }
    try {
      const fd = openSync(tmp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (st !== null) chmodSync(tmp, st.mode & 0o7777);
      renameSync(tmp, st === null ? out : realpathSync(out));
    } catch (e) {
      throw fail(e);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** `file` in 1 MB pieces: each as bytes, and as text on demand (UTF-8 decoded across the pieces' boundaries). */
function copyChunks(file: string, fn: (chunk: Buffer, text: () => string) => void): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      fn(chunk, () => decoder.write(chunk));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The whole text, or an error: writeSync may write only part of a buffer (a disk that fills up mid-way gives a short
 * write before it gives ENOSPC), and a short write taken for success published a truncated file with exit 0.
 */
function writeAll(fd: number, text: string | Buffer): void {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let off = 0; off < buf.length; ) {
    const n = writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error(`wrote ${off} of ${buf.length} bytes`), { code: 'EIO' });
    off += n;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Writes a report file whole or not at all: into a temporary file beside it, then renamed over it, so a reader or a
 * killed run never sees half a PDF or workbook (the staging folder is published as a whole later).
 */
export async function replaceFile(file: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
