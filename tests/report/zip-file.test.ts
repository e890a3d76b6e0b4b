/**
 * The ZIP container of the workbooks: well-formed for an independent reader (python3's zipfile checks every CRC),
 * and for our own reading of the headers; entries dated as asked, in DOS time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { zipFile } from '../../pipelines/report/zip-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'segfollow-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entries = [
  { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types/>') },
  { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<row>Åre – Göteborg</row>'.repeat(500), 'utf8') },
  { name: 'empty.txt', data: Buffer.alloc(0) },
];

interface Read {
  name: string;
  data: Buffer;
  time: number;
  date: number;
}

/** Every entry by its central directory, checked against its local header and its CRC-32. */
function readZip(zip: Buffer): Read[] {
  const eocd = zip.length - 22;
  expect(zip.readUInt32LE(eocd)).toBe(0x06054b50);
  const count = zip.readUInt16LE(eocd + 10);
  expect(zip.readUInt16LE(eocd + 8)).toBe(count);
  let p = zip.readUInt32LE(eocd + 16);
  expect(p + zip.readUInt32LE(eocd + 12)).toBe(eocd);
  const out: Read[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const nameLen = zip.readUInt16LE(p + 28);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('latin1');
    const local = zip.readUInt32LE(p + 42);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    // The local header repeats method, time, date, CRC and both sizes; no data descriptor follows.
    expect(zip.subarray(local + 8, local + 26)).toEqual(zip.subarray(p + 10, p + 28));
    expect(zip.readUInt16LE(local + 6) & 8).toBe(0);
    expect(zip.readUInt16LE(p + 10)).toBe(8);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = inflateRawSync(zip.subarray(start, start + zip.readUInt32LE(p + 20)));
    expect(data.length).toBe(zip.readUInt32LE(p + 24));
    expect(crc32(data)).toBe(zip.readUInt32LE(p + 16));
    out.push({ name, data, time: zip.readUInt16LE(p + 12), date: zip.readUInt16LE(p + 14) });
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

describe('zipFile', () => {
  it('holds every entry, in order, deflated with its CRC-32 and sizes', () => {
    const read = readZip(zipFile(entries, new Date('2025-03-15T09:30:00Z')));
    expect(read.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    for (const [i, e] of read.entries()) expect(e.data.equals(entries[i]?.data ?? Buffer.alloc(1))).toBe(true);
  });

  it('dates every entry `at` in DOS time (UTC, 2-second steps); before 1980 or invalid: 1980-01-01', () => {
    const dos = (z: Buffer) => readZip(z).map((e) => [e.time, e.date]);
    // 09:30:05 → 09:30:04; 2025-03-15: (45 << 9) | (3 << 5) | 15.
    expect(new Set(dos(zipFile(entries, new Date('2025-03-15T09:30:05Z'))).map(String))).toEqual(new Set([[(9 << 11) | (30 << 5) | 2, (45 << 9) | (3 << 5) | 15].join()]));
    const epoch = [0, (1 << 5) | 1].join();
    expect(new Set(dos(zipFile(entries, new Date('1975-06-01T12:00:00Z'))).map(String))).toEqual(new Set([epoch]));
    expect(new Set(dos(zipFile(entries, new Date('not a date'))).map(String))).toEqual(new Set([epoch]));
  });

  it('is read by python3 zipfile, every CRC checked', (ctx) => {
    const file = join(dir, 'a.zip');
    writeFileSync(file, zipFile(entries, new Date('2025-03-15T09:30:00Z')));
    const py = spawnSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); print(bad or "ok", *[i.filename + ":" + str(i.file_size) + ":" + "-".join(map(str, i.date_time)) for i in z.infolist()])', file], { encoding: 'utf8' });
    if (py.error) ctx.skip(`python3 is not available (${py.error.message})`);
    expect(py.stderr).toBe('');
    expect(py.stdout.trim().split(' ')).toEqual(['ok', ...entries.map((e) => `${e.name}:${e.data.length}:2025-3-15-9-30-0`)]);
  });

  it('refuses an entry name that is not printable ASCII', () => {
    expect(() => zipFile([{ name: 'xl/Åre.xml', data: Buffer.alloc(1) }], new Date())).toThrow(/not printable ASCII/);
  });
});
