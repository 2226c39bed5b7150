// Moments as users read them: in the local time zone and the display language
// ("Dec 5, 2026, 8:52:35 PM", "2026年12月5日 20:52:35"), never raw UTC ISO text.
import { displayLocale } from './l10n';

const OPTIONS: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' };

/** An ISO time (or ms since epoch) in local time; the text as given when it is not a time. */
export function localTime(at: string | number): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  try {
    return d.toLocaleString(displayLocale(), OPTIONS);
  } catch {
    return d.toLocaleString(undefined, OPTIONS);
  }
}
