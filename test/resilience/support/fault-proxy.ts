import { createServer, Server, Socket, connect } from 'node:net';

/**
 * A TCP proxy on loopback in front of one source system, so a test can take the source off the network and
 * put it back on the same address: `down()` stops listening and cuts every open connection (new ones are
 * refused, as from a host whose service has stopped); `up()` listens again on the same port.
 */
export class FaultProxy {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private port = 0;
  /** Connections accepted while up. */
  accepted = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const url = new URL(target);
    const proxy = new FaultProxy(url.hostname, Number(url.port));
    await proxy.up();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isUp(): boolean {
    return !!this.server;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      this.accepted++;
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /**
   * Up and down in turn, every `periodMs`, until the returned function is called (which leaves it up) or
   * `maxMs` has passed.
   */
  flap(periodMs: number, maxMs: number): () => Promise<void> {
    const began = Date.now();
    const state = { stopped: false };
    const loop = (async () => {
      while (!state.stopped && Date.now() - began < maxMs) {
        await new Promise((resolve) => setTimeout(resolve, periodMs));
        if (state.stopped) break;
        await (this.isUp ? this.down() : this.up());
      }
    })();
    return async () => {
      state.stopped = true;
      await loop;
      await this.up();
    };
  }
}
