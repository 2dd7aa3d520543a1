/** Drives test/redis/child/tracker-process.mjs from a test: commands in, events out. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ConversationRef, ReportQuery, ReportRow, Session, SessionStamp } from '@botsession/core';

const SCRIPT = new URL('./tracker-process.mjs', import.meta.url);

interface Reply {
  id?: number;
  stamp?: SessionStamp;
  rows?: ReportRow[];
  error?: string;
  event?: 'start' | 'end' | 'delivering' | 'error';
  session?: Session;
  message?: string;
  ready?: boolean;
}

export class BotProcess {
  readonly events: Reply[] = [];
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  private dead = false;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [SCRIPT.pathname], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let markReady: () => void;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        // A killed process answers nothing more: its pending calls fail, as a caller's would.
        this.dead = true;
        for (const answer of this.pending.values()) answer({ error: 'the process exited' });
        this.pending.clear();
        resolve();
      }),
    );
    this.child.stdin!.on('error', () => {}); // writes racing a kill: the exit handler answers them
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      if (reply.ready) markReady();
      else if (reply.id !== undefined) this.pending.get(reply.id)?.(reply);
      else this.events.push(reply);
    });
  }

  track(
    ref: ConversationRef,
    direction: 'inbound' | 'outbound' = 'inbound',
    deliveryId?: string,
  ): Promise<SessionStamp> {
    const id = this.nextId++;
    if (this.dead) return Promise.reject(new Error('the process exited'));
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.stamp ? resolve(reply.stamp) : reject(new Error(reply.error))));
      this.child.stdin!.write(`${JSON.stringify({ id, op: 'track', ref, direction, deliveryId })}\n`);
    });
  }

  /** tracker.report() in the child: the ledger as that process reads it. */
  report(query: ReportQuery): Promise<ReportRow[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.rows ? resolve(reply.rows) : reject(new Error(reply.error))));
      this.child.stdin!.write(`${JSON.stringify({ id, op: 'report', query })}\n`);
    });
  }

  /** Session ids this process delivered (or began delivering) an event for. */
  idsOf(event: Reply['event']): string[] {
    return this.events.filter((e) => e.event === event).map((e) => e.session!.id);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.write(`${JSON.stringify({ id: this.nextId++, op: 'close' })}\n`);
    await this.exited;
  }

  /** kill -9: no cleanup, no graceful close. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
