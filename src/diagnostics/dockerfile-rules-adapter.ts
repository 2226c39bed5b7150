// Bridges the core's Dockerfile rules (src/core/dockerfile-rules.ts: ranges and edits of its
// own shape) to the editor's findings, and keeps them to task folders: a Dockerfile is
// checked when it or a file beside it uses what GridNode injects (INPUT_QUEUE,
// INPUT_REDIS_URL ...), so ordinary project Dockerfiles get no task advice. No `vscode`.
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isCompiledBinaryFile } from '../core/compiled-binary';
import { analyzeDockerfile, type DockerfileProblem } from '../core/dockerfile-rules';
import type { Finding } from './findings';

const INJECTED = /\b(INPUT_QUEUE|OUTPUT_QUEUE|INPUT_REDIS_URL|OUTPUT_REDIS_URL)\b/;
const MAX_SIBLINGS = 50;
const MAX_SIBLING_BYTES = 256 * 1024;

export { isCompiledBinaryFile };

export function toFinding(p: DockerfileProblem): Finding {
  return {
    rule: p.rule,
    message: p.message,
    severity: p.severity === 'information' ? 'info' : p.severity,
    line: p.range.startLine,
    column: p.range.startCharacter,
    endLine: p.range.endLine,
    endColumn: p.range.endCharacter,
    fixes: p.fixes.map((f) => ({
      title: f.title,
      preferred: f.preferred,
      edits: f.edits.map((e) => ({ line: e.range.startLine, column: e.range.startCharacter, endLine: e.range.endLine, endColumn: e.range.endCharacter, newText: e.newText })),
    })),
  };
}

/** The small files beside the Dockerfile, by name (subfolders, big and unreadable files left out). */
async function siblingFiles(folder: string): Promise<Array<{ file: string; text: string }>> {
  let names: string[];
  try {
    names = (await readdir(folder)).slice(0, MAX_SIBLINGS);
  } catch {
    return [];
  }
  const out: Array<{ file: string; text: string }> = [];
  for (const name of names) {
    const file = path.join(folder, name);
    try {
      const s = await stat(file);
      if (!s.isFile() || s.size > MAX_SIBLING_BYTES) continue;
      out.push({ file: name, text: await readFile(file, 'utf8') });
    } catch {
      // unreadable files say nothing either way
    }
  }
  return out;
}

function usesInjected(dockerfileText: string, siblings: ReadonlyArray<{ text: string }>): boolean {
  return INJECTED.test(dockerfileText) || siblings.some((s) => INJECTED.test(s.text));
}

/** A task folder: the Dockerfile or a small file beside it uses the variables GridNode injects. */
export async function isTaskFolder(folder: string, dockerfileText: string): Promise<boolean> {
  return INJECTED.test(dockerfileText) || usesInjected(dockerfileText, await siblingFiles(folder));
}

/** Findings for a Dockerfile's text; with its path, only in task folders, with binaries recognised
 *  by content and the consumer scripts beside it checked too. */
export async function analyzeForEditor(text: string, file?: string): Promise<Finding[]> {
  if (!file) return analyzeDockerfile(text).map(toFinding);
  const folder = path.dirname(file);
  const siblings = (await siblingFiles(folder)).filter((s) => s.file !== path.basename(file));
  if (!usesInjected(text, siblings)) return [];
  return analyzeDockerfile(text, { isCompiledBinary: (p) => isCompiledBinaryFile(path.resolve(folder, p)), siblings }).map(toFinding);
}
