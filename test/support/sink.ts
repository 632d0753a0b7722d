/** A writable stream that keeps what is written: a CLI's stdout or stderr in tests. */
import { Writable } from 'node:stream';

/** Collects text; `isTTY` makes it look like a terminal to code that asks. */
export class Sink extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
