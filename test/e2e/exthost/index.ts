// Mocha inside the VS Code extension host: code-server loads this bundle through
// `extensionTestsPath` and calls run(); the workbench turns its outcome into the exit code.
// The browser console leaves mocha's `%s` placeholders unfilled, so this reporter writes
// plain lines, a closing `N passed, N failed`, and a JSON copy for the node:test side.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha = require('mocha');

interface Failure {
  title: string;
  error: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: class {} as unknown as Mocha.ReporterConstructor });
  const grep = process.env.GRIDCORE_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname).sort()) {
    if (f.endsWith('.js') && f !== 'index.js') mocha.addFile(join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    const passed: string[] = [];
    const skipped: string[] = [];
    const failures: Failure[] = [];
    const runner = mocha.run(() => {
      const summary = `${passed.length} passed, ${failures.length} failed, ${skipped.length} skipped`;
      console.log(summary);
      const out = process.env.GRIDCORE_E2E_RESULTS;
      if (out) writeFileSync(out, JSON.stringify({ passed, skipped, failures }, null, 2));
      if (failures.length) reject(new Error(summary));
      else resolve();
    });
    runner.on('pass', (t) => {
      passed.push(t.fullTitle());
      console.log(`  ok ${t.fullTitle()}`);
    });
    runner.on('pending', (t) => {
      skipped.push(t.fullTitle());
      console.log(`  skip ${t.fullTitle()}`);
    });
    runner.on('fail', (t, err: Error) => {
      const error = err?.stack ?? String(err);
      failures.push({ title: t.fullTitle(), error });
      console.log(`  FAIL ${t.fullTitle()}\n${error}`);
    });
  });
}
