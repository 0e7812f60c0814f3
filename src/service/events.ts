/**
 * GET /events: Server-Sent Events, `event: status` with one status change (account, from, to, health) per frame, and
 * a keep-alive comment every heartbeat. At most `max` streams at once; close() ends every stream (a client sees the
 * end of the stream, as at shutdown).
 */
import type { ServerResponse } from 'node:http';
import type { LiveSession } from '../live/live-session.js';

export class EventStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(live: LiveSession, private readonly max: number, heartbeatSeconds: number, private readonly onCount: (open: number) => void) {
    this.unsubscribe = live.onStatusChange((events) => {
      const frames = events.map((e) => `event: status\ndata: ${JSON.stringify(e)}\n\n`).join('');
      for (const res of this.open) res.write(frames);
    });
    this.heartbeat = setInterval(() => {
      for (const res of this.open) res.write(': keep-alive\n\n');
    }, heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  get full(): boolean {
    return this.open.size >= this.max;
  }

  /** Starts a stream on `res` (headers not yet sent); `extraHeaders`: e.g. CORS. */
  add(res: ServerResponse, extraHeaders: Record<string, string>): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', ...extraHeaders });
    res.write(': status changes of the live session\n\n');
    this.open.add(res);
    this.onCount(this.open.size);
    const drop = () => {
      if (this.open.delete(res)) this.onCount(this.open.size);
    };
    res.on('close', drop);
    res.on('error', drop); // a client gone mid-write: forget it, never crash
  }

  /** Ends every stream and stops listening. */
  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const res of this.open) res.end();
    this.open.clear();
    this.onCount(0);
  }
}
