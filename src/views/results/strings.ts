// The webview's strings, localized here (extension side) and sent in the `init` message.
import * as vscode from 'vscode';
import type { ResultsStrings } from './protocol';

export function resultsStrings(): ResultsStrings {
  return {
    title: vscode.l10n.t('Results'),
    total: vscode.l10n.t('{n} items'),
    totalOne: vscode.l10n.t('1 item'),
    newest: vscode.l10n.t('Newest first'),
    oldest: vscode.l10n.t('Oldest first'),
    filterPlaceholder: vscode.l10n.t('Filter loaded rows (Enter searches the whole list)'),
    searchServer: vscode.l10n.t('Search whole list'),
    cancel: vscode.l10n.t('Cancel'),
    searching: vscode.l10n.t('Searching… {scanned} of {total} scanned'),
    searchDone: vscode.l10n.t('{found} matches in {scanned} items'),
    searchDoneOne: vscode.l10n.t('1 match in {scanned} items'),
    searchPartial: vscode.l10n.t('{found} matches in the first {scanned} items (stopped)'),
    expand: vscode.l10n.t('Expand'),
    collapse: vscode.l10n.t('Collapse'),
    copy: vscode.l10n.t('Copy'),
    copied: vscode.l10n.t('Value copied to the clipboard'),
    copiedShort: vscode.l10n.t('Copied'),
    export: vscode.l10n.t('Export…'),
    refresh: vscode.l10n.t('Refresh'),
    newItems: vscode.l10n.t('The list changed by {n} items since this page was loaded: Refresh to see them.'),
    loadMore: vscode.l10n.t('Load more'),
    empty: vscode.l10n.t('This queue is empty.'),
    loading: vscode.l10n.t('Loading…'),
    bytes: vscode.l10n.t('{n} bytes'),
    clipped: vscode.l10n.t('(too long to show whole: Copy or Export gives the full value)'),
    changed: vscode.l10n.t('That item is no longer at its place in the list: Refresh and try again.'),
    live: vscode.l10n.t('live'),
    error: vscode.l10n.t('Could not read the queue: {message}'),
    noMatches: vscode.l10n.t('No matches'),
    filterCount: vscode.l10n.t('{shown} of {loaded} loaded rows match'),
    previous: vscode.l10n.t('Previous page'),
    next: vscode.l10n.t('Next page'),
    range: vscode.l10n.t('{from}–{to} of {total}'),
  };
}

/** The failed-list panel's extra strings (README, "Reliable consumers"). */
export function failedStrings(): Partial<ResultsStrings> {
  return {
    title: vscode.l10n.t('Failed Items'),
    failedTitle: vscode.l10n.t('Failed items of {queue}'),
    errorLabel: vscode.l10n.t('Error'),
    attempts: vscode.l10n.t('attempts: {n}'),
    retryAll: vscode.l10n.t('Retry All…'),
    retryMatches: vscode.l10n.t('Retry Matches…'),
    clearAll: vscode.l10n.t('Clear All…'),
    clearMatches: vscode.l10n.t('Clear Matches…'),
    rawEntry: vscode.l10n.t('not an entry of the convention (shown as it is; nothing to retry)'),
    binaryItem: vscode.l10n.t('binary item (not UTF-8): retried as its exact bytes'),
    empty: vscode.l10n.t('No failed items.'),
  };
}
