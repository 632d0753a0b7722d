/** RSA key pairs and application JWTs as Vonage's SDKs make them (NCCO.md 6.1). */
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** A test key pair: the private key to sign with, its PEMs for the SDK and the store. */
export interface TestKeys {
  privateKey: CryptoKey;
  privatePem: string;
  publicPem: string;
}

/** A new RS256 key pair. */
export async function testKeys(): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, privatePem: await exportPKCS8(privateKey), publicPem: await exportSPKI(publicKey) };
}

/** An application JWT: `application_id`, `iat`, `jti`, `exp` (15 min) unless `claims` say otherwise. */
export function appJwt(keys: TestKeys, applicationId: string, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ application_id: applicationId, iat: now, jti: crypto.randomUUID(), exp: now + 900, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .sign(keys.privateKey);
}

/** An unsigned token (`alg: none`) carrying `claims`. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
