// The core's ports backed by the editor: SecretStorage, globalState and a LogOutputChannel
// that masks every secret it has seen pass through the secret store, plus URL passwords.
import * as vscode from 'vscode';
import type { KeyValueStore, Logger, SecretStore } from '../core/ports';
import { maskSecrets } from '../core/redact';

/** Everything read from or written to SecretStorage, so the logger can blank it out. */
class KnownSecrets {
  private readonly values = new Set<string>();
  add(v: string | undefined): void {
    if (!v) return;
    this.values.add(v);
    // A Redis URL stored whole: its password alone must be masked too.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]+)@/i.exec(v);
    if (m) this.values.add(decodeURIComponent(m[1]));
  }
  all(): Iterable<string> {
    return this.values;
  }
}

export class SecretStorageStore implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage, private readonly known: KnownSecrets) {}
  async get(key: string) {
    const v = await this.storage.get(key);
    this.known.add(v);
    return v;
  }
  async store(key: string, value: string) {
    this.known.add(value);
    await this.storage.store(key, value);
  }
  async delete(key: string) {
    await this.storage.delete(key);
  }
}

export class GlobalStateStore implements KeyValueStore {
  constructor(private readonly memento: vscode.Memento) {}
  get<T>(key: string): T | undefined {
    return this.memento.get<T>(key);
  }
  async update(key: string, value: unknown) {
    await this.memento.update(key, value);
  }
}

export class ChannelLogger implements Logger {
  constructor(private readonly channel: vscode.LogOutputChannel, private readonly known: KnownSecrets) {}
  private clean(text: string): string {
    return maskSecrets(text, this.known.all());
  }
  trace(message: string) {
    this.channel.trace(this.clean(message));
  }
  info(message: string) {
    this.channel.info(this.clean(message));
  }
  warn(message: string) {
    this.channel.warn(this.clean(message));
  }
  error(message: string | Error) {
    const text = message instanceof Error ? `${message.name}: ${message.message}${message.stack ? `\n${message.stack}` : ''}` : message;
    this.channel.error(this.clean(text));
  }
}

export function createEditorPorts(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel) {
  const known = new KnownSecrets();
  return {
    secrets: new SecretStorageStore(context.secrets, known),
    state: new GlobalStateStore(context.globalState),
    logger: new ChannelLogger(channel, known),
    /** A logger for another channel (local cluster parts) with the same masking. */
    loggerFor: (other: vscode.LogOutputChannel): Logger => new ChannelLogger(other, known),
    /** Masks a text as the log channels do (chat tool results). */
    mask: (text: string): string => maskSecrets(text, known.all()),
  };
}
