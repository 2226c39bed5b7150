// The user at a real VS Code's modal dialogs, for extension-host tests: a language model tool
// invoked outside a chat request asks for its confirmation in a workbench dialog
// (LanguageModelToolsService.invokeTool -> dialogService.confirm), which no extension API can
// answer. The test in the extension host writes `answer` ("confirm" or "cancel") into a
// shared folder before the call; this loop, on the Playwright side, records each dialog's
// text in `dialogs.jsonl` there and clicks accordingly (cancel when no answer was written).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

export interface DialogAnswerer {
  stop(): Promise<void>;
}

export function answerDialogs(page: Page, dir: string): DialogAnswerer {
  mkdirSync(dir, { recursive: true });
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const box = page.locator('.monaco-dialog-box').first();
        if (await box.isVisible()) {
          const text = await box.innerText();
          const file = join(dir, 'answer');
          const answer = existsSync(file) ? readFileSync(file, 'utf8').trim() : 'cancel';
          appendFileSync(join(dir, 'dialogs.jsonl'), JSON.stringify({ text, answer }) + '\n');
          const buttons = box.locator('.dialog-buttons .monaco-button');
          const labels = (await buttons.allInnerTexts()).map((t) => t.trim());
          const cancelAt = labels.findIndex((l) => /^cancel$/i.test(l));
          const pick = answer === 'confirm' ? labels.findIndex((_l, i) => i !== cancelAt) : cancelAt;
          console.log(`# dialog answered ${answer} (buttons ${labels.join(' | ')}): ${text.replace(/\s+/g, ' ').slice(0, 120)}`);
          if (pick >= 0) await buttons.nth(pick).click();
          else await page.keyboard.press('Escape');
          await box.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
        }
      } catch {
        // the page is going away at the end of the run
      }
      await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
