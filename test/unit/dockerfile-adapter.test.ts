import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeForEditor, isCompiledBinaryFile, isTaskFolder, toFinding } from '../../src/diagnostics/dockerfile-rules-adapter';
import { applyEdits } from '../../src/diagnostics/findings';

const CMD_ONLY = 'FROM python:3.11-slim\nCOPY consumer.py /app/\nCMD ["python", "/app/consumer.py"]\n';

test('core problems become editor findings; the quick fix edits the text', async () => {
  const found = await analyzeForEditor(CMD_ONLY);
  assert.equal(found.length, 1);
  const f = found[0];
  assert.deepEqual([f.rule, f.severity, f.line, f.column], ['cmdWithoutEntrypoint', 'warning', 2, 0]);
  assert.equal(f.fixes[0].preferred, true);
  assert.equal(applyEdits(CMD_ONLY, f.fixes[0].edits), CMD_ONLY.replace('CMD', 'ENTRYPOINT'));
  assert.equal(
    toFinding({ rule: 'hardcodedRedis', severity: 'information', message: 'm', range: { startLine: 1, startCharacter: 2, endLine: 3, endCharacter: 4 }, fixes: [] }).severity,
    'info',
  );
});

test('only task folders are checked: the Dockerfile or a file beside it uses what GridNode injects', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-df-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const web = join(dir, 'web');
  const task = join(dir, 'task');
  mkdirSync(web);
  mkdirSync(task);
  writeFileSync(join(web, 'Dockerfile'), CMD_ONLY);
  writeFileSync(join(web, 'app.py'), 'print("hello")\n');
  writeFileSync(join(task, 'Dockerfile'), CMD_ONLY);
  writeFileSync(join(task, 'consumer.py'), 'import os\nurl = os.environ["INPUT_REDIS_URL"]\n');
  assert.equal(await isTaskFolder(web, CMD_ONLY), false);
  assert.equal(await isTaskFolder(task, CMD_ONLY), true);
  assert.equal(await isTaskFolder(web, CMD_ONLY + 'ENV INPUT_QUEUE=x\n'), true);
  assert.deepEqual(await analyzeForEditor(CMD_ONLY, join(web, 'Dockerfile')), []);
  assert.deepEqual((await analyzeForEditor(CMD_ONLY, join(task, 'Dockerfile'))).map((f) => f.rule), ['cmdWithoutEntrypoint']);
});

test('a compiled program copied from the host is told by its content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-bin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'worker'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho $INPUT_QUEUE\n');
  assert.equal(isCompiledBinaryFile(join(dir, 'worker')), true);
  assert.equal(isCompiledBinaryFile(join(dir, 'run.sh')), false);
  assert.equal(isCompiledBinaryFile(join(dir, 'missing')), undefined);
  const text = 'FROM debian:12-slim\nCOPY worker /app/worker\nENTRYPOINT ["/app/worker"]\n';
  const found = await analyzeForEditor(text, join(dir, 'Dockerfile'));
  assert.deepEqual(found.map((f) => [f.rule, f.line]), [['hostBinary', 1]]);
});

// Consumers as users write them: the injected URL handed to redis-cli as is fails on
// Debian 12's redis-cli 7.0 with `redis://:password@host` (empty user, exit 0).
const NAIVE_CONSUMER = `#!/bin/sh
set -eu
# pops one item at a time
while :; do
  item=$(redis-cli -u "$INPUT_REDIS_URL" BRPOP "$INPUT_QUEUE" 5 | tail -n 1)
  [ -n "$item" ] || exit 0
  redis-cli -u "$OUTPUT_REDIS_URL" LPUSH "$OUTPUT_QUEUE" "$((item * 2))" >/dev/null
done
`;
const SHELL_DOCKERFILE = 'FROM debian:12-slim\nRUN apt-get update && apt-get install -y redis-tools\nCOPY consume.sh /app/consume.sh\nENTRYPOINT ["/bin/sh", "/app/consume.sh"]\n';

function taskFolder(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridcore-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('a shell consumer that hands the injected URL to redis-cli -u as is: an Information on the COPY that brings it', async (t) => {
  const dir = taskFolder(t, { 'consume.sh': NAIVE_CONSUMER, Dockerfile: SHELL_DOCKERFILE });
  const found = await analyzeForEditor(SHELL_DOCKERFILE, join(dir, 'Dockerfile'));
  assert.deepEqual(found.map((f) => [f.rule, f.severity, f.line, f.endLine]), [['redisCliEmptyUser', 'info', 2, 2]]);
  assert.equal(
    found[0].message,
    'consume.sh (line 5) passes $INPUT_REDIS_URL to redis-cli -u as it is. redis-cli 7.0 (Debian 12) reads redis://:password@host as the empty user name, fails to authenticate and still exits 0. Rewrite the URL to redis://default:password@host first, as the shell-square template does: sed -E \'s#^(rediss?://):#\\1default:#\'.',
  );
  assert.deepEqual(found[0].fixes, []);

  // `COPY . /app`, a glob, a braced or defaulted variable, OUTPUT only, a bash script without .sh
  for (const [copy, script, name, line] of [
    ['COPY . /app/', NAIVE_CONSUMER, 'consume.sh', 5],
    ['COPY *.sh /app/', NAIVE_CONSUMER.replace('"$INPUT_REDIS_URL"', '"${INPUT_REDIS_URL}"'), 'consume.sh', 5],
    ['ADD ./consume.sh /app/', NAIVE_CONSUMER.replace('"$INPUT_REDIS_URL"', '"${INPUT_REDIS_URL:-redis://127.0.0.1:6379}"'), 'consume.sh', 5],
    ['COPY consume.sh /app/', NAIVE_CONSUMER.replace('-u "$INPUT_REDIS_URL"', '-h 127.0.0.1'), 'consume.sh', 7],
    ['COPY ["run", "/app/run"]', NAIVE_CONSUMER.replace('#!/bin/sh', '#!/usr/bin/env bash'), 'run', 5],
  ] as const) {
    const dockerfile = SHELL_DOCKERFILE.replace('COPY consume.sh /app/consume.sh', copy);
    const d = taskFolder(t, { [name]: script });
    const f = await analyzeForEditor(dockerfile, join(d, 'Dockerfile'));
    assert.deepEqual(f.map((x) => [x.rule, x.line]), [['redisCliEmptyUser', 2]], copy);
    assert.match(f[0].message, new RegExp(`^${name} \\(line ${line}\\) passes \\$(IN|OUT)PUT_REDIS_URL`), copy);
  }
});

test('no hint when the URL is rewritten, the user is named, the script is not in the image, or it is not a shell script', async (t) => {
  const cases: Record<string, [string, string]> = {
    'rewritten into its own variable': [
      NAIVE_CONSUMER.replace('set -eu\n', "set -eu\nURL=$(printf '%s' \"$INPUT_REDIS_URL\" | sed -E 's#^(rediss?://):#\\1default:#')\n").replace(/-u "\$INPUT_REDIS_URL"/, '-u "$URL"').replace('-u "$OUTPUT_REDIS_URL"', '-u "$URL"'),
      SHELL_DOCKERFILE,
    ],
    'the variable reassigned': [NAIVE_CONSUMER.replace('set -eu\n', 'set -eu\nexport INPUT_REDIS_URL="$(echo "$INPUT_REDIS_URL" | sed s#://:#://default:#)"\nOUTPUT_REDIS_URL=$INPUT_REDIS_URL\n'), SHELL_DOCKERFILE],
    'a bash substitution': [NAIVE_CONSUMER.replace(/\$INPUT_REDIS_URL"/, '${INPUT_REDIS_URL/:\\/\\/:/:\\/\\/default:}"').replace(/"\$OUTPUT_REDIS_URL"/, '"${OUTPUT_REDIS_URL/:\\/\\/:/:\\/\\/default:}"'), SHELL_DOCKERFILE],
    '--user given': [NAIVE_CONSUMER.replace(/redis-cli -u/g, 'redis-cli --user default -u'), SHELL_DOCKERFILE],
    'only in a comment': [`#!/bin/sh\n# do not: redis-cli -u "$INPUT_REDIS_URL"\nexec python3 /app/c.py\n`, SHELL_DOCKERFILE],
    'not copied into the image': [NAIVE_CONSUMER, SHELL_DOCKERFILE.replace('COPY consume.sh /app/consume.sh', 'COPY main.py /app/main.py')],
    'copied from another stage': [NAIVE_CONSUMER, SHELL_DOCKERFILE.replace('COPY consume.sh', 'COPY --from=build /src/consume.sh')],
  };
  for (const [what, [script, dockerfile]] of Object.entries(cases)) {
    const dir = taskFolder(t, { 'consume.sh': script });
    assert.deepEqual((await analyzeForEditor(dockerfile, join(dir, 'Dockerfile'))).filter((f) => f.rule === 'redisCliEmptyUser'), [], what);
  }
  // A Python consumer mentioning redis-cli in a string is no shell script.
  const py = taskFolder(t, { 'consume.py': 'import os\nprint("redis-cli -u $INPUT_REDIS_URL")\n' });
  assert.deepEqual(await analyzeForEditor(SHELL_DOCKERFILE.replace('consume.sh', 'consume.py'), join(py, 'Dockerfile')), []);
});

test('the shell-square template, as shipped, gets no hint', async () => {
  const dir = join(__dirname, '../../media/templates/shell-square');
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  assert.match(readFileSync(join(dir, 'consumer.sh'), 'utf8'), /redis-cli --no-auth-warning -u/, 'the template does call redis-cli -u');
  assert.deepEqual(await analyzeForEditor(dockerfile, join(dir, 'Dockerfile')), []);
});
