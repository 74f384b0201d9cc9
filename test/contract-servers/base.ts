/**
 * A small HTTP server that answers as a vendor's documented API does, for contract tests. Each
 * vendor module adds its routes; this base adds what every vendor does when things go wrong:
 * injected faults (401, 429 with Retry-After, 5xx, a request that never gets an answer, a request
 * that is carried out but whose answer is lost) either for
 * the next N requests or until switched off (an outage), and a log of every request it saw.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
  /** What the server answered (status), or 'timeout' when it held the request. */
  answered: number | 'timeout';
}

export type Fault =
  | { status: 401 | 429 | 500 | 502 | 503; retryAfter?: string; body?: unknown }
  | { timeout: true }
  /** The vendor does the work but the answer never arrives (the ambiguous timeout). */
  | { lostReply: true }
  /** The vendor does the work and answers, but only after this many milliseconds (a slow CRM). */
  | { slowReplyMs: number }
  /**
   * The request is held, neither carried out nor answered, until `until` settles (a CRM slower than
   * any fixed delay, released by the test when it has seen what it needed meanwhile).
   */
  | { heldUntil: Promise<unknown> };

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = (request: RecordedRequest, params: string[]) => Reply | Promise<Reply>;

export abstract class ContractServer {
  url = '';
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private readonly routes: Array<{ method: string; pattern: RegExp; route: Route }> = [];
  private readonly queuedFaults: Array<{ fault: Fault; when?: (request: RecordedRequest) => boolean }> = [];
  private outage?: Fault;
  /** Only requests whose path matches this are subject to faults (undefined: all). */
  faultPaths?: RegExp;

  protected route(method: string, pattern: RegExp, route: Route): void {
    this.routes.push({ method, pattern, route });
  }

  /** The vendor's body for an injected fault (each vendor documents its own error shape). */
  protected abstract faultBody(status: number): unknown;

  /**
   * The next `count` requests fail with this fault; with `when`, only requests it matches (so a
   * test aims the fault at its own request, not at whatever else the system happens to send first).
   */
  failNext(fault: Fault, count = 1, when?: (request: RecordedRequest) => boolean): void {
    for (let i = 0; i < count; i++) this.queuedFaults.push({ fault, when });
  }

  private takeQueuedFault(request: RecordedRequest): Fault | undefined {
    const index = this.queuedFaults.findIndex((queued) => !queued.when || queued.when(request));
    return index < 0 ? undefined : this.queuedFaults.splice(index, 1)[0]!.fault;
  }

  /** Every request fails with this fault until `recover()`. */
  startOutage(fault: Fault): void {
    this.outage = fault;
  }

  recover(): void {
    this.outage = undefined;
    this.queuedFaults.length = 0;
  }

  requestsTo(method: string, pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private send(res: ServerResponse, reply: Reply): void {
    res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': randomUUID(), ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://contract');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      json,
      answered: 0,
    };
    this.requests.push(recorded);

    const fault = !this.faultPaths || this.faultPaths.test(url.pathname) ? (this.takeQueuedFault(recorded) ?? this.outage) : undefined;
    if (fault && 'heldUntil' in fault) {
      await fault.heldUntil.catch(() => undefined);
      if (res.destroyed) {
        recorded.answered = 'timeout'; // the client gave up while it was held: nothing was done
        return;
      }
      const reply = await this.dispatch(req, url, recorded);
      recorded.answered = reply.status;
      this.send(res, reply);
      return;
    }
    if (fault && 'slowReplyMs' in fault) {
      const reply = await this.dispatch(req, url, recorded);
      recorded.answered = reply.status;
      await new Promise((resolve) => setTimeout(resolve, fault.slowReplyMs));
      if (!res.destroyed) this.send(res, reply);
      return;
    }
    if (fault && 'lostReply' in fault) {
      await this.dispatch(req, url, recorded);
      recorded.answered = 'timeout';
      return; // done, but the client never hears so
    }
    if (fault) {
      if ('timeout' in fault) {
        recorded.answered = 'timeout';
        return; // never answered: the client's timeout must fire
      }
      recorded.answered = fault.status;
      this.send(res, {
        status: fault.status,
        body: fault.body ?? this.faultBody(fault.status),
        headers: fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      });
      return;
    }
    const reply = await this.dispatch(req, url, recorded);
    recorded.answered = reply.status;
    this.send(res, reply);
  }

  private async dispatch(req: IncomingMessage, url: URL, recorded: RecordedRequest): Promise<Reply> {
    for (const { method, pattern, route } of this.routes) {
      const match = req.method === method ? pattern.exec(url.pathname) : null;
      if (match) return route(recorded, match.slice(1));
    }
    return { status: 404, body: this.faultBody(404) };
  }
}
