/**
 * Bytes for generated attachments: a real PNG, JPEG or PDF (or text) of exactly the advertised size, made
 * from the file id on request, so that every payload URL of a generated world downloads without storing anything.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A side×side image in a colour taken from the seed string. */
function pngParts(seed: string, side: number): Buffer[] {
  const hue = [...seed].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const rgb = [hue & 0xff, (hue >>> 8) & 0xff, (hue >>> 16) & 0xff];
  const rows = Buffer.alloc((side * 3 + 1) * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const at = y * (side * 3 + 1) + 1 + x * 3;
      rows[at] = (rgb[0] + x * 2) & 0xff;
      rows[at + 1] = (rgb[1] + y * 2) & 0xff;
      rows[at + 2] = rgb[2];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return [signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows))];
}

/** A chunk's length, type and checksum, around its data. */
const CHUNK_OVERHEAD = 12;
const COMMENT_KEY = 'Comment\0';

/**
 * A PNG of exactly `size` bytes: the largest of a few images that fits, padded with a comment chunk (or,
 * for a gap too small for one, with bytes after the end, which readers ignore). Under about 70 bytes no PNG
 * fits, and the file is the start of one.
 */
function png(seed: string, size: number): Buffer {
  const end = pngChunk('IEND', Buffer.alloc(0));
  const lengthOf = (parts: Buffer[]) => parts.reduce((n, p) => n + p.length, 0) + end.length;
  let parts = pngParts(seed, 32);
  for (const side of [16, 8, 4, 1]) {
    if (lengthOf(parts) <= size) break;
    parts = pngParts(seed, side);
  }
  const gap = size - lengthOf(parts);
  if (gap >= CHUNK_OVERHEAD + COMMENT_KEY.length) {
    const text = Buffer.alloc(gap - CHUNK_OVERHEAD, 0x20);
    text.write(COMMENT_KEY, 0, 'latin1');
    parts.push(pngChunk('tEXt', text));
  }
  return fitTo(Buffer.concat([...parts, end]), size);
}

/** Exactly `size` bytes: cut, or followed by zero bytes. */
function fitTo(bytes: Buffer, size: number): Buffer {
  if (bytes.length >= size) return bytes.subarray(0, size);
  return Buffer.concat([bytes, Buffer.alloc(size - bytes.length)]);
}

/** A JPEG marker segment: FF, its code, and the length of what follows (the length's own two bytes included). */
function segment(code: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, code, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
}

const MAX_SEGMENT_DATA = 0xffff - 2;

/** Comment segments (COM) of exactly `bytes` in all, at least 4. */
function jpegComments(bytes: number): Buffer[] {
  const out: Buffer[] = [];
  for (let left = bytes; left > 0;) {
    // Never leave less than a segment's head (4 bytes) for the next one.
    let take = Math.min(left, MAX_SEGMENT_DATA + 4);
    if (left - take > 0 && left - take < 4) take -= 4;
    out.push(segment(0xfe, Buffer.alloc(take - 4, 0x20)));
    left -= take;
  }
  return out;
}

/** Bits written most significant first, as JPEG's entropy-coded data is. */
class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1);
      if (++this.count === 8) this.flush();
    }
  }

  /** The bytes, the last padded with 1s; a 0xFF byte is followed by 0x00, as markers must not appear in the data. */
  end(): Buffer {
    if (this.count) this.write(0xff, 8 - this.count);
    return Buffer.from(this.bytes.flatMap((b) => (b === 0xff ? [0xff, 0x00] : [b])));
  }

  private flush(): void {
    this.bytes.push(this.current);
    this.current = 0;
    this.count = 0;
  }
}

/**
 * A baseline JPEG of exactly `size` bytes: an 8×8 image in one colour taken from the seed (one block per
 * component, each its DC value and an end of block), padded with comment segments. Under about 200 bytes no
 * JPEG fits, and the file is the start of one.
 */
function jpeg(seed: string, size: number): Buffer {
  const hue = [...seed].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const [r, g, b] = [hue & 0xff, (hue >>> 8) & 0xff, (hue >>> 16) & 0xff];
  const ycc = [0.299 * r + 0.587 * g + 0.114 * b, 128 - 0.1687 * r - 0.3313 * g + 0.5 * b, 128 + 0.5 * r - 0.4187 * g - 0.0813 * b];
  // With a DC quantizer of 8, a block's level is its quantized DC value plus 128.
  const dc = ycc.map((v) => Math.max(-127, Math.min(127, Math.round(v) - 128)));
  const app0 = segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  const dqt = segment(0xdb, Buffer.from([0x00, ...Array<number>(64).fill(8)]));
  const sof = segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]));
  // DC table: the twelve size categories, each a 4-bit code; AC table: the end of block alone, code 0.
  const dcCounts = [0, 0, 0, 12, ...Array<number>(12).fill(0)];
  const dht = segment(
    0xc4,
    Buffer.from([0x00, ...dcCounts, ...Array.from({ length: 12 }, (_, i) => i), 0x10, 1, ...Array<number>(15).fill(0), 0x00]),
  );
  const sos = segment(0xda, Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]));
  const bits = new BitWriter();
  for (const value of dc) {
    const category = value === 0 ? 0 : Math.floor(Math.log2(Math.abs(value))) + 1;
    bits.write(category, 4);
    if (category) bits.write(value > 0 ? value : value + (1 << category) - 1, category);
    bits.write(0, 1);
  }
  const head = [Buffer.from([0xff, 0xd8]), app0];
  const tail = [dqt, sof, dht, sos, bits.end(), Buffer.from([0xff, 0xd9])];
  const fixed = [...head, ...tail].reduce((n, part) => n + part.length, 0);
  if (size < fixed + 4) return fitTo(Buffer.concat([...head, ...tail]), size);
  return Buffer.concat([...head, ...jpegComments(size - fixed), ...tail]);
}

/** A one-page PDF naming the document, padded with a comment line to `size`. */
function pdf(title: string, size: number): Buffer {
  const text = `Document ${title.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, '')}`;
  const stream = `BT /F1 14 Tf 72 760 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const build = (padding: string) => {
    let body = `%PDF-1.4\n${padding}`;
    const offsets: number[] = [];
    objects.forEach((object, i) => {
      offsets.push(body.length);
      body += `${i + 1} 0 obj\n${object}\nendobj\n`;
    });
    const xref = body.length;
    body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
    body += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
    body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return body;
  };
  // The comment line leaves a little room, because padding shifts the offsets the trailer names;
  // readers ignore the blank lines after %%EOF that take up the rest.
  const room = size - build('').length - 16;
  const padded = build(room > 2 ? `%${'0'.repeat(room - 2)}\n` : '');
  const bytes = Buffer.from(padded, 'latin1');
  // Under the smallest PDF, the file is the start of one.
  return bytes.length >= size ? bytes.subarray(0, size) : Buffer.concat([bytes, Buffer.alloc(size - bytes.length, 0x0a)]);
}

export function contentTypeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return (
    { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', pdf: 'application/pdf', txt: 'text/plain' }[ext] ??
    'application/octet-stream'
  );
}

export function generatedFileBytes(fileId: string, name: string, size: number): Buffer {
  const type = contentTypeOf(name);
  if (type === 'image/png') return png(fileId, size);
  if (type === 'image/jpeg') return jpeg(fileId, size);
  if (type === 'application/pdf') return pdf(name, size);
  const line = Buffer.from(`${name} (${fileId})\n`, 'utf8');
  return Buffer.alloc(size, line);
}
