/**
 * PIN hashing: scrypt with a random salt per mailbox, compared in constant
 * time. The stored form names its parameters, so they can be raised later
 * without making existing PINs unreadable.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SCHEME = 'scrypt';
// Node's defaults (N=2^14, r=8, p=1): ~16 MiB and tens of ms per hash, fine for a login.
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(pin: string, salt: Buffer, params: ScryptOptions, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, keyLength, { ...params, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a PIN into `scrypt$N$r$p$salt$key` (base64 parts). */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(pin, salt, PARAMS, KEY_LENGTH);
  return [SCHEME, PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

// A hash of no real PIN: verifying against it costs the same as a real check,
// so a caller cannot tell "no such mailbox" from "wrong PIN" by timing.
let decoy: Promise<string> | undefined;

/** True when `pin` matches `stored`; with `stored` undefined, spends the same time and returns false. */
export async function verifyPin(pin: string, stored: string | undefined): Promise<boolean> {
  const against = stored ?? (await (decoy ??= hashPin(randomBytes(8).toString('hex'))));
  const parts = against.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) return false;
  const [, n, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyText, 'base64');
  const actual = await derive(pin, Buffer.from(saltText, 'base64'), { N: Number(n), r: Number(r), p: Number(p) }, expected.length);
  return timingSafeEqual(actual, expected) && stored !== undefined;
}
