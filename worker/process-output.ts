/**
 * A child process's output for an error message, within a bound: its first and last `bytes` characters. A Go
 * program's panic names its cause at the top of a long stack, and most tools' last lines say why they stopped.
 */
export class ProcessOutput {
  private head = '';
  private tail = '';
  private cut = false;

  constructor(private readonly bytes = 2000) {}

  /** For a stream's 'data' events (several streams may share one). */
  readonly add = (d: Buffer | string): void => {
    const text = d.toString();
    const room = Math.max(this.bytes - this.head.length, 0);
    this.head += text.slice(0, room);
    const more = this.tail + text.slice(room);
    this.cut ||= more.length > this.bytes;
    this.tail = more.slice(-this.bytes);
  };

  /** What was kept; an ellipsis line stands for what was left out between. */
  toString(): string {
    return this.head + (this.cut ? '\n…\n' : '') + this.tail;
  }
}
