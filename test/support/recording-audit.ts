import type { AuditEventInput, AuditRecorder } from '../../src/engine/audit-recorder';

/** A test double of the audit port: keeps every event; can be told to fail, to prove callers fail closed. */
export class RecordingAuditRecorder implements AuditRecorder {
  readonly events: AuditEventInput[] = [];
  failWith?: Error;

  async record(event: AuditEventInput): Promise<{ seq: string; hash: string }> {
    if (this.failWith) throw this.failWith;
    this.events.push(structuredClone(event));
    return { seq: String(this.events.length), hash: `h${this.events.length}` };
  }

  of(operation: string): AuditEventInput[] {
    return this.events.filter((e) => e.operation === operation);
  }

  clear(): void {
    this.events.length = 0;
  }
}
