// Test fixture for chat-confirm.test.ts: a command that seeds a cluster profile through the
// GridCore extension's test API and calls its clear-queue tool with vscode.lm.invokeTool and
// no chat request token, the way any extension's own flow may. Each outcome is appended as
// one JSON line to GRIDCORE_E2E_CALLER_OUT.
const { appendFileSync } = require('node:fs');
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('gridcoreE2e.clearTestQueue', async () => {
      const out = process.env.GRIDCORE_E2E_CALLER_OUT;
      let line;
      try {
        const api = await vscode.extensions.getExtension('gridcore-dev.gridcore-vscode').activate();
        await api.service.profiles.save({ name: 'confirm', computehubUrl: 'http://127.0.0.1:9', redisUrl: process.env.GRIDCORE_E2E_REDIS_URL, token: 'unused-token' });
        const result = await vscode.lm.invokeTool('gridcore_clear_queue', { input: { cluster: 'confirm', queue: 'confirm:items' }, toolInvocationToken: undefined });
        line = { ok: result.content.map((p) => p.value).join('') };
      } catch (e) {
        line = { error: e && e.message, name: e && e.name };
      }
      appendFileSync(out, JSON.stringify(line) + '\n');
    }),
  );
};
