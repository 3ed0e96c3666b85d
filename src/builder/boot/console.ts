// Complete escape sequences, and the fragments systemd leaves when it shortens a coloured line.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1bc|\x1b\[?[0-9;]*/g;

/** Serial console bytes in, readable text out: escape sequences and carriage returns removed. */
export class ConsoleCleaner {
  private pending = '';
  private cleaned = '';

  /** Adds console output; returns the text it added to `text`. */
  public push(data: Buffer | string): string {
    this.pending += data.toString();
    // Clean only up to an escape sequence still cut off at the end of the data.
    const partial = this.pending.search(/\x1b[^A-Za-z]*$/);
    const ready = partial >= 0 ? this.pending.slice(0, partial) : this.pending;
    this.pending = partial >= 0 ? this.pending.slice(partial) : '';
    const added = cleanConsole(ready);
    this.cleaned += added;
    return added;
  }

  public get text(): string {
    return this.cleaned;
  }
}

function cleanConsole(raw: string): string {
  return raw.replace(ANSI, '').replace(/\r/g, '');
}

/** The last `n` lines of console text, indented with `  | ` for an error message. */
export function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).map(l => `  | ${l}`).join('\n');
}
