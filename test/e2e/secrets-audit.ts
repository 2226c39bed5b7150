// Issue 6's secrets audit: every file an e2e run wrote (code-server's user data: settings,
// state, logs with the extension host's and the GridCore output channels'; HOME with the
// skill folder; TMPDIR; the browser profile; the workspace) is searched for each token and
// Redis password of the run, as UTF-8, UTF-16 (browser storage), URL-encoded and base64.
//
// Where SecretStorage lives in code-server: in the browser's localStorage under the key
// `secrets.provider` (browser/Default/Local Storage/leveldb), AES-GCM encrypted with a key
// that is half in the browser, half on the server (user-data/serve-web-key-half). Its entry
// holds no plain secret, so nothing is excluded from the scan: a secret found anywhere, that
// entry's file included, is a leak.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Leak {
  file: string;
  secret: string;
  encoding: string;
}

export interface AuditResult {
  files: number;
  bytes: number;
  leaks: Leak[];
  /** Files holding the SecretStorage entry (proof that secrets were stored, and where). */
  secretStorageFiles: string[];
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const p = join(dir, name);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue; // removed while walking (a log rotated, a lock released)
    }
    if (st.isDirectory()) yield* walk(p);
    else if (st.isFile()) yield p;
  }
}

function encodings(secret: string): Array<[string, Buffer]> {
  const forms: Array<[string, Buffer]> = [
    ['utf8', Buffer.from(secret, 'utf8')],
    ['utf16le', Buffer.from(secret, 'utf16le')],
    ['base64', Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, ''))],
  ];
  const url = encodeURIComponent(secret);
  if (url !== secret) forms.push(['url', Buffer.from(url)]);
  return forms;
}

export function auditSecrets(roots: string[], secrets: string[]): AuditResult {
  const needles = secrets.flatMap((s) => encodings(s).map(([encoding, bytes]) => ({ secret: s, encoding, bytes })));
  const result: AuditResult = { files: 0, bytes: 0, leaks: [], secretStorageFiles: [] };
  const marker = Buffer.from('secrets.provider');
  for (const root of roots) {
    for (const file of walk(root)) {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch {
        continue;
      }
      result.files++;
      result.bytes += data.length;
      for (const n of needles) if (data.includes(n.bytes)) result.leaks.push({ file, secret: n.secret, encoding: n.encoding });
      if (file.includes('Local Storage') && data.includes(marker)) result.secretStorageFiles.push(file);
    }
  }
  return result;
}
