// Problems and quick fixes on Dockerfiles from the seed's rules (the analyzer is pure, in
// the core). Updated on open and, debounced, on change; cleared on close. The analyzer is
// loaded on the first Dockerfile seen, so activation pays only for the registrations.
import * as vscode from 'vscode';
import { isDockerfileName } from '../core/dockerfile-parse';
import type { DockerfileAnalyzer, Finding } from './findings';

const SOURCE = 'GridCore';
const DEBOUNCE_MS = 300;

export function isDockerfileDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'dockerfile' || (doc.uri.scheme !== 'output' && isDockerfileName(doc.fileName));
}

export class DockerfileDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  private readonly collection = vscode.languages.createDiagnosticCollection('gridcore-dockerfile');
  private readonly findings = new Map<string, Finding[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private analyzer: Promise<DockerfileAnalyzer> | undefined;

  constructor(
    private readonly load: () => Promise<DockerfileAnalyzer>,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      vscode.languages.registerCodeActionsProvider([{ language: 'dockerfile' }, { pattern: '**/{Dockerfile,Dockerfile.*,*.dockerfile}' }], this, DockerfileDiagnostics.metadata),
    );
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => (this.timers.delete(key), this.refresh(doc)), DEBOUNCE_MS));
  }

  private refresh(doc: vscode.TextDocument): void {
    this.update(doc).catch(this.onError);
  }

  async update(doc: vscode.TextDocument): Promise<void> {
    if (!isDockerfileDocument(doc)) return;
    if (!this.analyzer) {
      this.analyzer = this.load();
      this.analyzer.catch(() => (this.analyzer = undefined));
    }
    const analyze = await this.analyzer;
    const version = doc.version;
    const found = await analyze(doc.getText(), doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined);
    // A newer edit has its own update coming; a closed document keeps nothing.
    if (doc.isClosed || doc.version !== version) return;
    this.findings.set(doc.uri.toString(), found);
    this.collection.set(doc.uri, found.map((f) => toDiagnostic(f)));
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.findings.delete(key);
    this.collection.delete(uri);
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const found = this.findings.get(doc.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diag of context.diagnostics) {
      if (diag.source !== SOURCE) continue;
      const f = found.find((x) => x.rule === codeOf(diag) && x.line === diag.range.start.line && x.column === diag.range.start.character);
      for (const fix of f?.fixes ?? []) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diag];
        action.isPreferred = fix.preferred ?? f!.fixes.length === 1;
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(e.line, e.column, e.endLine, e.endColumn), e.newText);
        action.edit = edit;
        actions.push(action);
      }
    }
    return actions;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

function toDiagnostic(f: Finding): vscode.Diagnostic {
  const severity = f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(new vscode.Range(f.line, f.column, f.endLine, f.endColumn), f.message, severity);
  d.source = SOURCE;
  d.code = f.rule;
  return d;
}
