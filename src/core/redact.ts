// Secrets never reach logs or the screen: URLs are shown with their password masked.

/** `redis://:pw@host:6379/2` -> `redis://:****@host:6379/2`; leaves anything unparsable as is. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    if (colon < 0) return `${scheme}****@`;
    return `${scheme}${auth.slice(0, colon)}:****@`;
  });
}

/** The password in a URL's user info, decoded, only to scrub it from texts (the URL itself is
 *  never taken apart to connect). Read with a pattern, so a URL `new URL` rejects still gives it. */
export function passwordOf(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^@/]*?:([^@/]*)@/i.exec(url);
  if (!m || !m[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** Remove every known secret from a text before it is logged. */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('****');
  return out;
}

const URL_WITH_AUTH = /[a-z][a-z0-9+.-]*:\/\/[^\s@/]*@[^\s]*/gi;

/** What the log channels and the chat tools' results go through: every URL's password
 *  masked, then every known secret blanked out. */
export function maskSecrets(text: string, secrets: Iterable<string | undefined>): string {
  return redact(text.replace(URL_WITH_AUTH, (u) => maskUrl(u)), secrets);
}
