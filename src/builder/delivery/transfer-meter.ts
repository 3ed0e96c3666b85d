import { formatBytes } from '../common/progress';

/** Bytes, share, rate and time left of a transfer, for progress lines. */
export class TransferMeter {
  private readonly started: number;
  private loaded = 0;

  constructor(private readonly total: number, private readonly now: () => number = Date.now) {
    this.started = now();
  }

  public get totalText(): string {
    return formatBytes(this.total);
  }

  public update(loaded: number): void {
    this.loaded = Math.max(this.loaded, loaded);
  }

  /** e.g. "1.2 GiB of 4.0 GiB (30%), 45.0 MiB/s, about 1 min 4 s left" */
  public describe(): string {
    const seconds = Math.max((this.now() - this.started) / 1000, 0.001);
    const rate = this.loaded / seconds;
    const percent = this.total ? Math.floor((this.loaded / this.total) * 100) : 100;
    const left = rate > 0 ? `, about ${formatDuration((this.total - this.loaded) / rate)} left` : '';
    return `${formatBytes(this.loaded)} of ${this.totalText} (${percent}%), ${formatBytes(rate)}/s${left}`;
  }

  /** The closing line: size, time and mean rate. */
  public finish(): string {
    const seconds = Math.max((this.now() - this.started) / 1000, 0.001);
    return `${this.totalText} in ${formatDuration(seconds)} (${formatBytes(this.total / seconds)}/s)`;
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
