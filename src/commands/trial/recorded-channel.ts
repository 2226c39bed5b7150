// Output channels whose lines the e2e tests can read back (only under GRIDCORE_TEST): VS Code
// gives no API to read an output channel, and the tests must see the live log, not trust it.
import * as vscode from 'vscode';

const KEPT = 2000;

export class RecordedChannels {
  private readonly lines = new Map<string, string[]>();
  private readonly recording = !!process.env.GRIDCORE_TEST;

  constructor(private readonly subscriptions: vscode.Disposable[]) {}

  create(name: string): vscode.OutputChannel {
    const channel = vscode.window.createOutputChannel(name);
    this.subscriptions.push(channel);
    if (!this.recording) return channel;
    const kept: string[] = [];
    this.lines.set(name, kept);
    const append = channel.appendLine.bind(channel);
    channel.appendLine = (line: string) => {
      kept.push(line);
      if (kept.length > KEPT) kept.splice(0, kept.length - KEPT);
      append(line);
    };
    return channel;
  }

  snapshot(): Record<string, string[]> {
    return Object.fromEntries([...this.lines].map(([k, v]) => [k, [...v]]));
  }
}
