import { createHash } from 'node:crypto';

/*
 * SHA-256 (FIPS 180-4) of short messages, resumable from a saved state. node:crypto costs about 2 µs
 * a call here whatever the input's size (a hash object or a one-shot call, each crossing into C++),
 * and a receipt makes four calls per removed object (HMAC's two, the leaf, a node): ~1 s of CPU per
 * 100k objects, as much as the executor's own work (BENCHMARKS.md, issue 23). One compression in
 * JavaScript costs ~0.5 µs, and a salted leaf needs five: HMAC's key blocks are compressed once per
 * salt (`hmacStates`), so its inner and outer hashes are one block each, the RFC 6962 leaf one and
 * a node two. test/merkle.test.ts checks every use against node:crypto.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** The initial hash value H(0). */
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** The message schedule, reused by every compression (this module is synchronous, one per thread). */
const W = new Int32Array(64);
/** The running state of the hash being computed. */
const STATE = new Int32Array(8);
/** The padded tail of the message being hashed: at most two blocks (messages are short). */
const TAIL = new Uint8Array(128);

/** Compresses the 64-byte block at `bytes[offset]` into `state`, in place. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    W[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15];
    const y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (s1 + W[i - 7] + s0 + W[i - 16]) | 0;
  }
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  let e = state[4];
  let f = state[5];
  let g = state[6];
  let h = state[7];
  for (let i = 0; i < 64; i++) {
    const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + sigma1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sigma0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/**
 * SHA-256 of `prefixBlocks` 64-byte blocks already compressed into `start`, followed by
 * `message[0, length)`; the digest goes to `out` (32 bytes). `length` is at most 119 bytes, so the
 * padded tail is two blocks at most.
 */
export function sha256From(
  start: Int32Array,
  prefixBlocks: number,
  message: Uint8Array,
  length: number,
  out: Uint8Array,
): void {
  if (length > 119) throw new RangeError(`sha256From hashes at most 119 bytes, not ${length}`);
  const state = STATE;
  state.set(start);
  TAIL.fill(0);
  TAIL.set(message.subarray(0, length));
  TAIL[length] = 0x80;
  const blocks = length < 56 ? 1 : 2;
  const bits = (prefixBlocks * 64 + length) * 8;
  const end = blocks * 64;
  TAIL[end - 4] = bits >>> 24;
  TAIL[end - 3] = bits >>> 16;
  TAIL[end - 2] = bits >>> 8;
  TAIL[end - 1] = bits;
  compress(state, TAIL, 0);
  if (blocks === 2) compress(state, TAIL, 64);
  for (let i = 0; i < 8; i++) {
    out[i * 4] = state[i] >>> 24;
    out[i * 4 + 1] = state[i] >>> 16;
    out[i * 4 + 2] = state[i] >>> 8;
    out[i * 4 + 3] = state[i];
  }
}

/** SHA-256 of a short message (at most 119 bytes) from the start. */
export function sha256(message: Uint8Array, length: number, out: Uint8Array): void {
  sha256From(IV, 0, message, length, out);
}

/** HMAC-SHA-256's two keyed states (RFC 2104): the key's inner and outer pad blocks, compressed once. */
export interface HmacStates {
  inner: Int32Array;
  outer: Int32Array;
}

export function hmacStates(key: Buffer): HmacStates {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? createHash('sha256').update(key).digest() : key);
  const pad = (byte: number) => {
    const state = new Int32Array(IV);
    compress(
      state,
      block.map((b) => b ^ byte),
      0,
    );
    return state;
  };
  return { inner: pad(0x36), outer: pad(0x5c) };
}
