import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';

const READY_PATH = /^\/m\/(\d+)\/v2\/health\/ready$/;

interface Hold {
  index: number;
  arrived: () => void;
  res?: ServerResponse;
}

/**
 * Healthy Open Inference Protocol endpoints on loopback, endpoint i at
 * `<baseUrl>/m/<i>`. Counts readiness checks per endpoint, and can hold the
 * next readiness check of one endpoint so a probe cycle stays in progress.
 */
export class ModelEndpoints {
  readonly readyChecks = new Map<number, number>();
  private hold?: Hold;
  private readonly server: Server = createServer((req, res) =>
    this.answer(req, res),
  );

  private constructor() {}

  static async start(): Promise<ModelEndpoints> {
    const endpoints = new ModelEndpoints();
    await new Promise<void>(resolve =>
      endpoints.server.listen(0, '127.0.0.1', () => resolve()),
    );
    return endpoints;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(index: number): string {
    return `${this.baseUrl}/m/${index}`;
  }

  /**
   * Holds the next readiness check of endpoint `index`; the returned promise
   * resolves when that check has arrived (and is being held).
   */
  holdNextReadyCheck(index: number): Promise<void> {
    return new Promise(arrived => {
      this.hold = { index, arrived };
    });
  }

  /** Answers the held check (if its caller is still there). */
  release(): void {
    const res = this.hold?.res;
    this.hold = undefined;
    if (res && !res.writableEnded) this.ok(res);
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const ready = READY_PATH.exec(req.url ?? '');
    if (ready) {
      const index = Number(ready[1]);
      this.readyChecks.set(index, (this.readyChecks.get(index) ?? 0) + 1);
      if (this.hold?.index === index && !this.hold.res) {
        this.hold.res = res;
        this.hold.arrived();
        return;
      }
    }
    const model = /^\/m\/\d+\/v2\/models\/([^/]+)$/.exec(req.url ?? '');
    if (model) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          name: model[1],
          versions: ['1'],
          platform: 'sklearn',
          inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, 4] }],
          outputs: [{ name: 'output-0', datatype: 'INT64', shape: [-1] }],
        }),
      );
      return;
    }
    if (!/^\/m\/\d+\//.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    this.ok(res);
  }

  private ok(res: ServerResponse): void {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"live":true,"ready":true}');
  }
}
