// Upstream answers JSON with keys in alphabetical order; this serializer sorts keys at every
// level so any object we hand it comes out that way, whatever order it was built in.

export function stableStringify(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + stableStringify(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    if (obj[k] === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + stableStringify(obj[k]);
    first = false;
  }
  return out + '}';
}
