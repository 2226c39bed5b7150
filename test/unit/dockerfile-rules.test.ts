// Dockerfile rules on real Dockerfiles: the shipped templates and typical multi-stage files
// stay clean; each problem is found at its line, with a working quick fix where one exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDockerfile, type DockerfileProblem, type TextEdit } from '../../src/core/dockerfile-rules';
import { parseDockerfile } from '../../src/core/dockerfile-parse';
import { locateBuildFailure } from '../../src/core/images/build-run';

const templates = join(__dirname, '../../media/templates');

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (l: number, c: number) => lines.slice(0, l).reduce((n, x) => n + x.length + 1, 0) + c;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.startLine, b.range.startCharacter) - offset(a.range.startLine, a.range.startCharacter))) {
    out = out.slice(0, offset(e.range.startLine, e.range.startCharacter)) + e.newText + out.slice(offset(e.range.endLine, e.range.endCharacter));
  }
  return out;
}

const rules = (p: DockerfileProblem[]) => p.map((x) => `${x.rule}@${x.range.startLine + 1}`);

const clean: Record<string, string> = {
  'python multi-stage': `FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt
FROM python:3.12-slim
COPY --from=build /install /usr/local
COPY consumer.py /app/
ENTRYPOINT ["python", "/app/consumer.py"]
`,
  'rust multi-stage': `# syntax=docker/dockerfile:1
FROM rust:1.79 AS builder
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=builder /src/target/release/consumer /usr/local/bin/consumer
ENTRYPOINT ["/usr/local/bin/consumer"]
`,
  'go multi-stage': `FROM golang:1.22 AS build
WORKDIR /go/src/app
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/consumer ./cmd/consumer

FROM gcr.io/distroless/static
COPY --from=build /out/consumer /consumer
ENTRYPOINT ["/consumer"]
`,
  'shell script into a bin dir, env from variables': `FROM alpine:3.20
RUN apk add --no-cache redis
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
COPY scripts/ /usr/local/bin/
ENV REDIS_URL=$INPUT_REDIS_URL QUEUE_BATCH=100
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["--verbose"]
`,
  'entrypoint inherited from an own stage': `FROM alpine:3.20 AS base
ENTRYPOINT ["/app/run.sh"]
FROM base
COPY run.sh /app/run.sh
CMD ["--fast"]
`,
  'single-stage build in the image': `FROM golang:1.22
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/app .
COPY bin/helper /usr/local/bin/helper
ENTRYPOINT ["app"]
`,
};

for (const [name, text] of Object.entries(clean)) {
  test(`no problems: ${name}`, () => {
    assert.deepEqual(rules(analyzeDockerfile(text)), []);
  });
}

for (const t of ['shell-square', 'python-sqrt']) {
  test(`no problems: the ${t} template`, () => {
    assert.deepEqual(rules(analyzeDockerfile(readFileSync(join(templates, t, 'Dockerfile'), 'utf8'))), []);
  });
}

test('the seed example (CMD only) is flagged and fixed to ENTRYPOINT', () => {
  const text = 'FROM python:3.11-slim\nRUN pip install redis\nCOPY consumer.py /app/\nCMD ["python", "/app/consumer.py"]\n';
  const problems = analyzeDockerfile(text);
  assert.deepEqual(rules(problems), ['cmdWithoutEntrypoint@4']);
  assert.equal(problems[0].severity, 'warning');
  const fixed = apply(text, problems[0].fixes[0].edits);
  assert.match(fixed, /^ENTRYPOINT \["python", "\/app\/consumer.py"\]$/m);
  assert.deepEqual(analyzeDockerfile(fixed), []);
});

test('CMD in a builder stage only does not count; the final stage decides', () => {
  const text = 'FROM alpine AS a\nCMD ["x"]\nFROM alpine\nENTRYPOINT ["y"]\n';
  assert.deepEqual(rules(analyzeDockerfile(text)), []);
  const indented = 'FROM alpine\n  cmd ./run.sh\n';
  const p = analyzeDockerfile(indented);
  assert.deepEqual(rules(p), ['cmdWithoutEntrypoint@2']);
  assert.equal(apply(indented, p[0].fixes[0].edits), 'FROM alpine\n  ENTRYPOINT ./run.sh\n');
});

test('a Rust binary from target/release copied from the context is flagged, with a builder-stage fix', () => {
  const text = 'FROM debian:bookworm-slim\nWORKDIR /app\nCOPY target/release/consumer /usr/local/bin/consumer\nENTRYPOINT ["consumer"]\n';
  const p = analyzeDockerfile(text);
  assert.deepEqual(rules(p), ['hostBinary@3']);
  assert.match(p[0].message, /exec format error/);
  const fixed = apply(text, p[0].fixes[0].edits);
  assert.match(fixed, /^FROM rust:1 AS builder\nWORKDIR \/src\nCOPY \. \.\nRUN cargo build --release\n\nFROM debian:bookworm-slim/);
  assert.match(fixed, /^COPY --from=builder \/src\/target\/release\/consumer \/usr\/local\/bin\/consumer$/m);
  assert.deepEqual(analyzeDockerfile(fixed), []);
});

test('a prebuilt binary copied into a bin dir is flagged; cross-target paths too', () => {
  assert.deepEqual(rules(analyzeDockerfile('FROM alpine\nCOPY ./myapp /usr/local/bin/\nENTRYPOINT ["myapp"]\n')), ['hostBinary@2']);
  assert.deepEqual(
    rules(analyzeDockerfile('FROM scratch\nCOPY target/x86_64-unknown-linux-musl/release/app /app\nENTRYPOINT ["/app"]\n')),
    ['hostBinary@2'],
  );
  assert.deepEqual(rules(analyzeDockerfile('FROM alpine\nCOPY build/server /srv/server\nENTRYPOINT ["/srv/server"]\n')), ['hostBinary@2']);
});

test('isCompiledBinary overrides the path guess both ways', () => {
  const text = 'FROM alpine\nCOPY tools/runner /usr/local/bin/runner\nENTRYPOINT ["runner"]\n';
  assert.deepEqual(rules(analyzeDockerfile(text, { isCompiledBinary: () => false })), []);
  assert.deepEqual(rules(analyzeDockerfile(text, { isCompiledBinary: (p) => p === 'tools/runner' })), ['hostBinary@2']);
});

test('Redis host and password written into the image are flagged', () => {
  const text = [
    'FROM python:3.11-slim',
    'ENV REDIS_HOST=10.0.0.5 REDIS_PORT=6379',
    'ENV REDIS_PASSWORD s3cret',
    'ARG QUEUE=in',
    'COPY consumer.py /app/',
    'ENTRYPOINT ["python", "/app/consumer.py", "--redis", "redis://:pw@10.0.0.5:6379/0"]',
    '',
  ].join('\n');
  const p = analyzeDockerfile(text);
  assert.deepEqual(rules(p), ['hardcodedRedis@2', 'hardcodedRedis@3', 'hardcodedRedis@6']);
  assert.deepEqual(p.map((x) => x.severity), ['warning', 'error', 'error']);
  assert.match(p[0].message, /REDIS_HOST/);
  assert.match(p[0].message, /INPUT_REDIS_URL/);
  // ENV with other keys: no delete fix; ENV with only Redis keys: delete fix
  assert.equal(p[0].fixes.length, 0);
  assert.equal(apply(text, p[1].fixes[0].edits).includes('REDIS_PASSWORD'), false);
});

test('redis-server --requirepass and redis-cli -a with literals are flagged, with variables not', () => {
  assert.deepEqual(rules(analyzeDockerfile('FROM redis:7\nCMD ["redis-server", "--requirepass", "hunter22"]\nENTRYPOINT ["docker-entrypoint.sh"]\n')), ['hardcodedRedis@2']);
  assert.deepEqual(rules(analyzeDockerfile('FROM alpine\nENTRYPOINT redis-cli -h 10.1.1.1 -a hunter22 ping\n')), ['hardcodedRedis@2']);
  assert.deepEqual(rules(analyzeDockerfile('FROM alpine\nENTRYPOINT redis-cli -u "$INPUT_REDIS_URL" -a "$EXTRA" ping\n')), []);
  assert.deepEqual(rules(analyzeDockerfile('FROM alpine\nENTRYPOINT ["consumer", "--redis", "redis://cache:6379"]\n')), ['hardcodedRedis@2']);
});

test('parser: continuations, comments inside them, escape directive, heredocs', () => {
  const text = '# escape=`\nFROM alpine\nRUN echo a `\n  # note\n  && echo b\nRUN <<EOF\necho c\nEOF\nCMD ["x"]\n';
  const p = parseDockerfile(text);
  assert.deepEqual(p.instructions.map((i) => [i.keyword, i.line, i.endLine]), [['FROM', 1, 1], ['RUN', 2, 4], ['RUN', 5, 7], ['CMD', 8, 8]]);
  assert.equal(p.instructions[1].args, 'echo a && echo b');
});

test('build failure mapping: step N to its Dockerfile line, BuildKit and quoted-command fallbacks', () => {
  const dockerfile = 'ARG V=1\nFROM alpine\n# c\nRUN echo ok\nRUN false \\\n && true\n';
  const log = ['Step 1/4 : ARG V=1', 'Step 2/4 : FROM alpine', ' ---> abc', 'Step 3/4 : RUN echo ok', 'ok', ' ---> def', 'Step 4/4 : RUN false && true', ' ---> Running in 123', 'oops'];
  const f = locateBuildFailure(log, "The command '/bin/sh -c false && true' returned a non-zero code: 1", dockerfile);
  assert.equal(f.step, 4);
  assert.equal(f.line, 5);
  assert.equal(f.output, 'oops');
  assert.equal(locateBuildFailure([], 'Dockerfile:4\n--------------------\nfailed to solve', dockerfile).line, 4);
  assert.equal(locateBuildFailure([], 'process "/bin/sh -c echo ok" did not complete successfully: exit code: 1', dockerfile).line, 4);
});
