/**
 * Maps a partition key to a partition the way Event Hubs does: Bob Jenkins' lookup3
 * `hashlittle2` over the UTF-8 bytes, folded to a signed 16-bit value, modulo the
 * partition count. The same key therefore lands on the same partition as in Azure
 * (and as the SDK's buffered producer predicts).
 */
export function partitionForKey(partitionKey: string, partitionCount: number): number {
  const { b, c } = lookup3(Buffer.from(partitionKey, "utf8"));
  const folded = new Int16Array([c ^ b])[0]!;
  return Math.abs(folded % partitionCount);
}

function rot(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function lookup3(data: Buffer): { b: number; c: number } {
  let a = (0xdeadbeef + data.length) | 0;
  let b = a;
  let c = a;
  let index = 0;
  let size = data.length;
  while (size > 12) {
    a = (a + data.readUInt32LE(index)) | 0;
    b = (b + data.readUInt32LE(index + 4)) | 0;
    c = (c + data.readUInt32LE(index + 8)) | 0;
    a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    index += 12;
    size -= 12;
  }
  if (size === 0) return { b: b >>> 0, c: c >>> 0 };
  // The tail: up to 12 bytes, little-endian into c, b, a (lookup3's switch fall-through).
  const tail = [0, 0, 0];
  for (let i = 0; i < size; i++) tail[Math.floor(i / 4)]! += data[index + i]! << (8 * (i % 4));
  a = (a + tail[0]!) | 0;
  b = (b + tail[1]!) | 0;
  c = (c + tail[2]!) | 0;
  c ^= b; c = (c - rot(b, 14)) | 0;
  a ^= c; a = (a - rot(c, 11)) | 0;
  b ^= a; b = (b - rot(a, 25)) | 0;
  c ^= b; c = (c - rot(b, 16)) | 0;
  a ^= c; a = (a - rot(c, 4)) | 0;
  b ^= a; b = (b - rot(a, 14)) | 0;
  c ^= b; c = (c - rot(b, 24)) | 0;
  return { b: b >>> 0, c: c >>> 0 };
}
