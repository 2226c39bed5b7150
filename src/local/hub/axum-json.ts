// Decodes a request body the way upstream's axum `Json<T>` extractor (serde_json +
// serde_path_to_error over a derived struct) does, so that clients see the same status
// and the same text: 415 without a JSON content type, 400 for syntax/EOF errors, 422 for
// data errors, each with serde_json's message and `at line L column C` (byte columns).
// It is a streaming, schema-driven parser on purpose: serde reports the FIRST problem in
// reading order, so a data error before a later syntax error must win, as upstream.

import { isUtf8 as bufferIsUtf8 } from 'node:buffer';

export type FieldType =
  | { kind: 'string' }
  | { kind: 'u32' }
  | { kind: 'option'; inner: FieldType }
  | { kind: 'stringMap' }
  | { kind: 'enum'; name: string; variants: readonly string[] };

export interface StructSchema {
  name: string;
  fields: ReadonlyArray<{ name: string; type: FieldType }>;
}

export type BodyRejection = { status: 400 | 413 | 415 | 422; text: string };
export type Decoded<T> = { ok: true; value: T } | { ok: false; rejection: BodyRejection };

/** axum's default body limit (2 MiB). */
export const BODY_LIMIT = 2 * 1024 * 1024;

const JSON_CONTENT_TYPE_MISSING = 'Expected request with `Content-Type: application/json`';

/** axum accepts `application/json` and `application/<anything>+json`, with parameters. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const mime = header.split(';', 1)[0].trim().toLowerCase();
  const slash = mime.indexOf('/');
  if (slash <= 0 || mime.slice(0, slash) !== 'application') return false;
  const sub = mime.slice(slash + 1);
  return sub === 'json' || sub.endsWith('+json');
}

type Category = 'syntax' | 'eof' | 'data';

class SerdeError extends Error {
  path: string[] = [];
  positioned = false;
  constructor(
    readonly category: Category,
    readonly code: string,
  ) {
    super(code);
  }
}

const E = {
  eofList: 'EOF while parsing a list',
  eofObject: 'EOF while parsing an object',
  eofString: 'EOF while parsing a string',
  eofValue: 'EOF while parsing a value',
  colon: 'expected `:`',
  listCommaOrEnd: 'expected `,` or `]`',
  objectCommaOrEnd: 'expected `,` or `}`',
  ident: 'expected ident',
  value: 'expected value',
  escape: 'invalid escape',
  number: 'invalid number',
  codePoint: 'invalid unicode code point',
  control: 'control character (\\u0000-\\u001F) found while parsing a string',
  keyString: 'key must be a string',
  surrogate: 'lone leading surrogate in hex escape',
  trailingComma: 'trailing comma',
  trailingChars: 'trailing characters',
  recursion: 'recursion limit exceeded',
} as const;

const U32_MAX = 4294967295;

/** What serde's `Unexpected` prints for a value found where another type was expected. */
type Unexpected = string;

function fmtFloat(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  let s = Math.abs(f) >= 1e21 ? BigInt(Math.trunc(f)).toString() : String(f);
  if (s.includes('e')) s = f.toFixed(20).replace(/0+$/, '');
  return s.includes('.') ? s : s + '.0';
}

function debugStr(s: string): string {
  return JSON.stringify(s);
}

class Reader {
  i = 0;
  constructor(readonly b: Uint8Array) {}

  private positionOf(index: number): { line: number; column: number } {
    let line = 1;
    let start = 0;
    for (let k = 0; k < index; k++) {
      if (this.b[k] === 0x0a) {
        line++;
        start = k + 1;
      }
    }
    return { line, column: index - start };
  }
  /** serde_json `error`: position of the last consumed byte. */
  error(category: Category, code: string): SerdeError {
    return this.place(new SerdeError(category, code), this.i);
  }
  /** serde_json `peek_error`: position including the byte being looked at. */
  peekError(category: Category, code: string): SerdeError {
    return this.place(new SerdeError(category, code), Math.min(this.i + 1, this.b.length));
  }
  place(err: SerdeError, index: number): SerdeError {
    if (!err.positioned) {
      const { line, column } = this.positionOf(index);
      err.message = `${err.code} at line ${line} column ${column}`;
      err.positioned = true;
    }
    return err;
  }
  fix(err: unknown): SerdeError {
    if (err instanceof SerdeError) return this.place(err, this.i);
    throw err;
  }
  peek(): number | undefined {
    return this.i < this.b.length ? this.b[this.i] : undefined;
  }
  ws(): number | undefined {
    while (this.i < this.b.length) {
      const c = this.b[this.i];
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) this.i++;
      else return c;
    }
    return undefined;
  }

  ident(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      const c = this.peek();
      if (c === undefined) throw this.error('eof', E.eofValue);
      this.i++;
      if (c !== rest.charCodeAt(k)) throw this.error('syntax', E.ident);
    }
  }

  /** After the opening quote. */
  str(): string {
    const b = this.b;
    let out = '';
    let runStart = this.i;
    const flush = (end: number) => {
      if (end > runStart) {
        const chunk = b.subarray(runStart, end);
        if (!isUtf8(chunk)) throw this.error('syntax', E.codePoint);
        out += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      }
    };
    for (;;) {
      if (this.i >= b.length) throw this.error('eof', E.eofString);
      const c = b[this.i];
      if (c === 0x22) {
        flush(this.i);
        this.i++;
        return out;
      }
      if (c === 0x5c) {
        flush(this.i);
        this.i++;
        out += this.escape();
        runStart = this.i;
        continue;
      }
      if (c < 0x20) {
        this.i++;
        throw this.error('syntax', E.control);
      }
      this.i++;
    }
  }

  private hex4(): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      if (this.i >= this.b.length) throw this.error('eof', E.eofString);
      const c = this.b[this.i++];
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) throw this.error('syntax', E.escape);
      v = v * 16 + d;
    }
    return v;
  }

  private escape(): string {
    if (this.i >= this.b.length) throw this.error('eof', E.eofString);
    const c = this.b[this.i++];
    switch (c) {
      case 0x22: return '"';
      case 0x5c: return '\\';
      case 0x2f: return '/';
      case 0x62: return '\b';
      case 0x66: return '\f';
      case 0x6e: return '\n';
      case 0x72: return '\r';
      case 0x74: return '\t';
      case 0x75: {
        const hi = this.hex4();
        if (hi >= 0xdc00 && hi <= 0xdfff) throw this.error('syntax', E.surrogate);
        if (hi < 0xd800 || hi > 0xdbff) return String.fromCharCode(hi);
        if (this.b[this.i] !== 0x5c || this.b[this.i + 1] !== 0x75) {
          if (this.i >= this.b.length) throw this.error('eof', E.eofString);
          throw this.error('syntax', E.surrogate);
        }
        this.i += 2;
        const lo = this.hex4();
        if (lo < 0xdc00 || lo > 0xdfff) throw this.error('syntax', E.surrogate);
        return String.fromCharCode(hi, lo);
      }
      default:
        throw this.error('syntax', E.escape);
    }
  }

  /** A number starting at the current byte (a digit, or after a consumed '-'). */
  number(positive: boolean): { int?: bigint; float?: number } {
    const start = this.i;
    const digit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
    const c0 = this.peek();
    if (c0 === undefined) throw this.error('eof', E.eofValue);
    if (!digit(c0)) {
      this.i++;
      throw this.error('syntax', E.number);
    }
    this.i++;
    if (c0 === 0x30) {
      if (digit(this.peek())) throw this.peekError('syntax', E.number);
    } else {
      while (digit(this.peek())) this.i++;
    }
    let isFloat = false;
    if (this.peek() === 0x2e) {
      isFloat = true;
      this.i++;
      if (this.peek() === undefined) throw this.error('eof', E.eofValue);
      if (!digit(this.peek())) throw this.peekError('syntax', E.number);
      while (digit(this.peek())) this.i++;
    }
    const e = this.peek();
    if (e === 0x65 || e === 0x45) {
      isFloat = true;
      this.i++;
      const s = this.peek();
      if (s === 0x2b || s === 0x2d) this.i++;
      if (this.peek() === undefined) throw this.error('eof', E.eofValue);
      if (!digit(this.peek())) throw this.peekError('syntax', E.number);
      while (digit(this.peek())) this.i++;
    }
    // Short integers (every count a node sends) need no BigInt.
    if (!isFloat && this.i - start <= 15) {
      let v = 0;
      for (let k = start; k < this.i; k++) v = v * 10 + (this.b[k] - 0x30);
      return { int: BigInt(positive ? v : -v) };
    }
    const text = Buffer.from(this.b.subarray(start, this.i)).toString('latin1');
    if (!isFloat) {
      const n = BigInt(text) * (positive ? 1n : -1n);
      // serde_json keeps integers in i64/u64; wider ones become floats.
      if (n >= -(2n ** 63n) && n < 2n ** 64n) return { int: n };
    }
    const f = Number(text) * (positive ? 1 : -1);
    if (!Number.isFinite(f)) throw this.error('syntax', 'number out of range');
    return { float: f };
  }

  /** serde_json `peek_invalid_type`: consume a scalar to describe it; maps/lists are not consumed. */
  unexpected(): Unexpected {
    const c = this.peek();
    switch (c) {
      case 0x6e: this.i++; this.ident('ull'); return 'null';
      case 0x74: this.i++; this.ident('rue'); return 'boolean `true`';
      case 0x66: this.i++; this.ident('alse'); return 'boolean `false`';
      case 0x22: this.i++; return `string ${debugStr(this.str())}`;
      case 0x5b: return 'sequence';
      case 0x7b: return 'map';
      case 0x2d: {
        this.i++;
        return describeNumber(this.number(false));
      }
      default:
        if (c !== undefined && c >= 0x30 && c <= 0x39) return describeNumber(this.number(true));
        throw this.peekError('syntax', E.value);
    }
  }

  invalidType(expected: string): SerdeError {
    const what = this.unexpected();
    return this.fix(new SerdeError('data', `invalid type: ${what}, expected ${expected}`));
  }

  /** serde_json `ignore_value`: a syntax check of a value nobody reads. */
  ignore(depth = 0): void {
    if (depth >= 128) throw this.error('syntax', E.recursion);
    const c = this.ws();
    if (c === undefined) throw this.peekError('eof', E.eofValue);
    switch (c) {
      case 0x6e: this.i++; return this.ident('ull');
      case 0x74: this.i++; return this.ident('rue');
      case 0x66: this.i++; return this.ident('alse');
      case 0x22: this.i++; this.str(); return;
      case 0x2d: this.i++; this.number(false); return;
      case 0x5b: {
        this.i++;
        let first = true;
        for (;;) {
          if (!this.hasNextElement(first, true)) break;
          first = false;
          this.ignore(depth + 1);
        }
        this.endSeq();
        return;
      }
      case 0x7b: {
        this.i++;
        let first = true;
        for (;;) {
          if (!this.hasNextKey(first, true)) break;
          first = false;
          this.i++;
          this.str();
          this.colon();
          this.ignore(depth + 1);
        }
        this.endMap();
        return;
      }
      default:
        if (c >= 0x30 && c <= 0x39) {
          this.number(true);
          return;
        }
        throw this.peekError('syntax', E.value);
    }
  }

  /** serde_json `has_next_key`; leaves the reader on the key's opening quote when true. */
  hasNextKey(first: boolean, ignoring = false): boolean {
    const c = this.ws();
    if (c === undefined) throw this.peekError('eof', E.eofObject);
    if (c === 0x7d) return false;
    if (first) {
      if (c === 0x22) return true;
      throw this.peekError('syntax', E.keyString);
    }
    if (c !== 0x2c) throw this.peekError('syntax', E.objectCommaOrEnd);
    this.i++;
    const n = this.ws();
    if (n === 0x22) return true;
    // serde_json's ignore_value reads `,}` as a missing key, not as a trailing comma.
    if (n === 0x7d && !ignoring) throw this.peekError('syntax', E.trailingComma);
    if (n === undefined) throw this.peekError('eof', E.eofValue);
    throw this.peekError('syntax', E.keyString);
  }

  colon(): void {
    const c = this.ws();
    if (c === 0x3a) {
      this.i++;
      return;
    }
    if (c === undefined) throw this.peekError('eof', E.eofObject);
    throw this.peekError('syntax', E.colon);
  }

  endMap(): void {
    const c = this.ws();
    if (c === 0x7d) {
      this.i++;
      return;
    }
    if (c === 0x2c) throw this.peekError('syntax', E.trailingComma);
    if (c === undefined) throw this.peekError('eof', E.eofObject);
    throw this.peekError('syntax', E.trailingChars);
  }

  /** serde_json `has_next_element`. */
  hasNextElement(first: boolean, ignoring = false): boolean {
    const c = this.ws();
    if (c === undefined) throw this.peekError('eof', E.eofList);
    if (c === 0x5d) return false;
    if (first) return true;
    if (c !== 0x2c) throw this.peekError('syntax', E.listCommaOrEnd);
    this.i++;
    const n = this.ws();
    // serde_json's ignore_value reads `,]` as a missing value, not as a trailing comma.
    if (n === 0x5d && !ignoring) throw this.peekError('syntax', E.trailingComma);
    if (n === undefined) throw this.peekError('eof', E.eofValue);
    return true;
  }

  endSeq(): void {
    const c = this.ws();
    if (c === 0x5d) {
      this.i++;
      return;
    }
    if (c === 0x2c) {
      this.i++;
      if (this.ws() === 0x5d) throw this.peekError('syntax', E.trailingComma);
      throw this.peekError('syntax', E.trailingChars);
    }
    if (c === undefined) throw this.peekError('eof', E.eofList);
    throw this.peekError('syntax', E.trailingChars);
  }
}

function describeNumber(n: { int?: bigint; float?: number }): string {
  return n.int !== undefined ? `integer \`${n.int}\`` : `floating point \`${fmtFloat(n.float!)}\``;
}

function isUtf8(bytes: Uint8Array): boolean {
  for (let k = 0; k < bytes.length; k++) if (bytes[k] >= 0x80) return bufferIsUtf8(bytes);
  return true;
}

function withPath<T>(segment: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw pathed(err, segment);
  }
}

/** The error, with `segment` in front of its path (serde_path_to_error). */
function pathed(err: unknown, segment: string): unknown {
  if (err instanceof SerdeError) err.path.unshift(segment);
  return err;
}

function readValue(r: Reader, t: FieldType): unknown {
  switch (t.kind) {
    case 'option': {
      const c = r.ws();
      if (c === 0x6e) {
        r.i++;
        r.ident('ull');
        return null;
      }
      return readValue(r, t.inner);
    }
    case 'string': {
      const c = r.ws();
      if (c === undefined) throw r.peekError('eof', E.eofValue);
      if (c === 0x22) {
        r.i++;
        return r.str();
      }
      throw r.invalidType('a string');
    }
    case 'u32': {
      const c = r.ws();
      if (c === undefined) throw r.peekError('eof', E.eofValue);
      const neg = c === 0x2d;
      if (neg || (c >= 0x30 && c <= 0x39)) {
        if (neg) r.i++;
        const n = r.number(!neg);
        if (n.int === undefined) throw r.fix(new SerdeError('data', `invalid type: floating point \`${fmtFloat(n.float!)}\`, expected u32`));
        if (n.int < 0n || n.int > BigInt(U32_MAX)) throw r.fix(new SerdeError('data', `invalid value: integer \`${n.int}\`, expected u32`));
        return Number(n.int);
      }
      throw r.invalidType('u32');
    }
    case 'enum': {
      const c = r.ws();
      if (c === undefined) throw r.peekError('eof', E.eofValue);
      if (c !== 0x22) throw r.peekError('syntax', E.value);
      r.i++;
      const s = r.str();
      if (!t.variants.includes(s)) {
        const list = t.variants.map((v) => `\`${v}\``).join(', ');
        throw r.fix(new SerdeError('data', `unknown variant \`${s}\`, expected one of ${list}`));
      }
      return s;
    }
    case 'stringMap': {
      const c = r.ws();
      if (c === undefined) throw r.peekError('eof', E.eofValue);
      if (c !== 0x7b) throw r.invalidType('a map');
      r.i++;
      const out: Record<string, string> = Object.create(null);
      let first = true;
      try {
        while (r.hasNextKey(first)) {
          first = false;
          r.i++;
          const key = r.str();
          r.colon();
          out[key] = withPath(key, () => readValue(r, { kind: 'string' }) as string);
        }
      } catch (err) {
        throw r.fix(err);
      }
      r.endMap();
      return out;
    }
  }
}

function readStruct(r: Reader, s: StructSchema): Record<string, unknown> {
  const c = r.ws();
  if (c === undefined) throw r.peekError('eof', E.eofValue);
  const out: Record<string, unknown> = {};
  if (c === 0x5b) {
    // serde's derived structs also accept the sequence form, fields in declaration order.
    r.i++;
    let err: unknown;
    try {
      s.fields.forEach((f, idx) => {
        if (!r.hasNextElement(idx === 0)) {
          throw new SerdeError('data', `invalid length ${idx}, expected struct ${s.name} with ${s.fields.length} elements`);
        }
        out[f.name] = withPath(String(idx), () => readValue(r, f.type));
      });
    } catch (e) {
      err = e;
    }
    try {
      r.endSeq();
    } catch (e) {
      err ??= e;
    }
    if (err) throw r.fix(err);
    return out;
  }
  if (c !== 0x7b) throw r.invalidType(`struct ${s.name}`);
  r.i++;
  let err: unknown;
  try {
    let first = true;
    while (r.hasNextKey(first)) {
      first = false;
      r.i++;
      const key = r.str();
      let field: StructSchema['fields'][number] | undefined;
      for (const f of s.fields) if (f.name === key) field = f;
      if (field && key in out) throw new SerdeError('data', `duplicate field \`${key}\``);
      r.colon();
      // No closure per field: this runs for every heartbeat.
      try {
        if (field) out[key] = readValue(r, field.type);
        else r.ignore();
      } catch (e) {
        throw pathed(e, key);
      }
    }
    for (const f of s.fields) {
      if (!(f.name in out)) {
        if (f.type.kind === 'option') out[f.name] = null;
        else {
          // Upstream consumes the closing brace before it reports the missing field.
          try {
            r.endMap();
          } catch {
            // the missing-field error is the one reported
          }
          throw new SerdeError('data', `missing field \`${f.name}\``);
        }
      }
    }
  } catch (e) {
    err = e;
  }
  if (err) throw r.fix(err);
  r.endMap();
  return out;
}

/** Decode `body` into a value shaped by `schema`, or the rejection axum would send. */
export function decodeJsonBody<T>(contentType: string | undefined, body: Uint8Array, schema: StructSchema): Decoded<T> {
  if (!isJsonContentType(contentType)) return { ok: false, rejection: { status: 415, text: JSON_CONTENT_TYPE_MISSING } };
  const r = new Reader(body);
  try {
    const value = readStruct(r, schema) as T;
    if (r.ws() !== undefined) throw r.peekError('syntax', E.trailingChars);
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof SerdeError)) throw err;
    const shown = (err.path.length ? err.path.join('.') + ': ' : '') + err.message;
    return err.category === 'data'
      ? { ok: false, rejection: { status: 422, text: `Failed to deserialize the JSON body into the target type: ${shown}` } }
      : { ok: false, rejection: { status: 400, text: `Failed to parse the request body as JSON: ${shown}` } };
  }
}

export const tooLarge: BodyRejection = { status: 413, text: 'Failed to buffer the request body: length limit exceeded' };
