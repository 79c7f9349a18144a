const encoder = new TextEncoder();

// One secret is in use at a time; importing its key once saves a Web Crypto call per request.
let cached: { secret: string; key: Promise<CryptoKey> } | undefined;

/** HMAC-SHA256 of the task id and its owner, in hex. Web Crypto, so it runs on Node, Workers, Deno and Bun. */
async function mac(secret: string, taskId: string, owner: string): Promise<string> {
  if (cached?.secret !== secret) {
    const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    cached = { secret, key };
  }
  // JSON keeps the two apart: no id and owner pair reads as another pair.
  const signature = await crypto.subtle.sign('HMAC', await cached.key, encoder.encode(JSON.stringify([taskId, owner])));
  return Array.from(new Uint8Array(signature), (byte) => (byte + 256).toString(16).slice(1)).join('');
}

/** The id the client gets: `{vendor id}.{signature}`, URL-safe as it is. */
export async function signTaskId(secret: string, taskId: string, owner: string): Promise<string> {
  return `${taskId}.${await mac(secret, taskId, owner)}`;
}

/** The vendor's id inside a signed id, or undefined when it is unsigned, changed, or signed for another owner. */
export async function verifyTaskId(secret: string, signedId: string, owner: string): Promise<string | undefined> {
  const dot = signedId.lastIndexOf('.');
  if (dot < 1) return undefined;
  const taskId = signedId.slice(0, dot);
  const given = signedId.slice(dot + 1);
  const expected = await mac(secret, taskId, owner);
  // Constant time: every character is compared whatever the first difference, so the time taken
  // does not tell an attacker how much of a forged signature was right.
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0 ? taskId : undefined;
}
