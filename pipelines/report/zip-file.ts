/**
 * A ZIP archive (the container of an .xlsx) in memory: every entry deflated with node:zlib, its CRC-32 from
 * node:zlib (native, in Node ≥ 20.15), sizes and CRC in the local header (no data descriptors), every entry dated
 * `at` so the same entries give the same bytes. No ZIP64: a workbook stays far below 4 GB and 65 535 entries, and a
 * larger one is refused rather than written corrupt.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** The path inside the archive, forward slashes; ASCII (the names an .xlsx uses). */
  readonly name: string;
  readonly data: Buffer;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
/** Version 2.0: deflate. Written as "version needed" and, with host 0 (MS-DOS), as "made by". */
const VERSION = 20;
const DEFLATE = 8;

/**
 * MS-DOS time and date of `at` (2-second steps, no time zone: the UTC clock), as the entries carry it; DOS dates start
 * in 1980, so an earlier or invalid `at` is 1980-01-01 00:00.
 */
function dosTime(at: Date): { time: number; date: number } {
  const t = Number.isFinite(at.getTime()) && at.getUTCFullYear() >= 1980 ? at : new Date(Date.UTC(1980, 0, 1));
  return {
    time: (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1),
    date: ((t.getUTCFullYear() - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate(),
  };
}

/** The archive of `entries`, in their order, each dated `at`. */
export function zipFile(entries: readonly ZipEntry[], at: Date): Buffer {
  if (entries.length > 0xffff) throw new Error(`zip: ${entries.length} entries; at most 65 535 without ZIP64`);
  const { time, date } = dosTime(at);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    if (!/^[\x20-\x7e]+$/.test(e.name)) throw new Error(`zip: entry name ${JSON.stringify(e.name)} is not printable ASCII`);
    const name = Buffer.from(e.name, 'latin1');
    const packed = deflateRawSync(e.data);
    const crc = crc32(e.data);
    if (e.data.length > 0xfffffffe || offset + 30 + name.length + packed.length > 0xfffffffe) throw new Error(`zip: ${e.name}: the archive would pass 4 GB, which needs ZIP64`);
    // The local header and the central directory's entry share these 26 bytes: version needed, flags, method, time,
    // date, CRC, sizes and the name's length (at 4 in the one, at 6 in the other, after "version made by").
    const shared = (b: Buffer, at: number): void => {
      b.writeUInt16LE(VERSION, at);
      b.writeUInt16LE(0, at + 2);
      b.writeUInt16LE(DEFLATE, at + 4);
      b.writeUInt16LE(time, at + 6);
      b.writeUInt16LE(date, at + 8);
      b.writeUInt32LE(crc, at + 10);
      b.writeUInt32LE(packed.length, at + 14);
      b.writeUInt32LE(e.data.length, at + 18);
      b.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    shared(local, 4);
    // Extra field length (28): none.
    const head = Buffer.alloc(46);
    head.writeUInt32LE(CENTRAL, 0);
    head.writeUInt16LE(VERSION, 4);
    shared(head, 6);
    // Extra field, comment, disk number, internal and external attributes: none (Buffer.alloc zeroes them).
    head.writeUInt32LE(offset, 42);
    parts.push(local, name, packed);
    central.push(head, name);
    offset += 30 + name.length + packed.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
