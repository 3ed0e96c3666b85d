/**
 * Progress on stderr: a line per step with elapsed time, and a final table.
 * stdout stays reserved for the result.
 */
export interface StageReport {
  readonly stage: string;
  readonly seconds: number;
  readonly bytes: number;
  readonly cacheHit: boolean;
  /** The stage's cache entry key. */
  readonly cacheKey: string;
}

export class Progress {
  private readonly started = Date.now();
  private readonly reports: StageReport[] = [];

  constructor(private readonly write: (line: string) => void = line => process.stderr.write(line + '\n'), private readonly quiet = false) {}

  public step(stage: string, message: string): void {
    if (!this.quiet) this.write(`[${formatSeconds((Date.now() - this.started) / 1000).padStart(6)}] ${stage}: ${message}`);
  }

  public stageDone(report: StageReport): void {
    this.reports.push(report);
    const how = report.cacheHit ? 'cached' : `built in ${formatSeconds(report.seconds)}`;
    this.step(report.stage, `${how}, ${formatBytes(report.bytes)} (${report.cacheKey.slice(0, 12)})`);
  }

  public get stages(): readonly StageReport[] {
    return this.reports;
  }

  public summaryTable(): string {
    const rows = [['stage', 'time', 'size', 'cache'], ...this.reports.map(r => [
      r.stage, formatSeconds(r.seconds), formatBytes(r.bytes), r.cacheHit ? 'hit' : 'miss',
    ])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    const total = (Date.now() - this.started) / 1000;
    return [line(rows[0]), widths.map(w => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line), `total ${formatSeconds(total)}`].join('\n');
  }

  public printSummary(): void {
    if (!this.quiet) this.write(this.summaryTable());
  }
}

export function formatSeconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
