/**
 * Twilio Programmable Messaging contract server: POST /2010-04-01/Accounts/{Sid}/Messages.json with
 * HTTP basic auth (Account SID : Auth Token) and form fields To, From, Body; 201 with the message
 * resource (sid SM..., status "queued"). Errors are Twilio's JSON {code, message, more_info, status}:
 * 20003 for bad credentials (401), 21211 for an invalid To number (400), 21610 for a recipient who
 * replied STOP (400), 20429 for too many requests (429).
 */
import { randomBytes } from 'node:crypto';
import { ContractServer, type RecordedRequest, type Reply } from './base';

export class TwilioContract extends ContractServer {
  readonly messages: Array<{ sid: string; to: string; from: string; body: string }> = [];
  /** Numbers that replied STOP: Twilio itself refuses to text them (error 21610). */
  readonly unsubscribed = new Set<string>();

  constructor(
    readonly accountSid = 'AC00000000000000000000000000000000',
    readonly authToken = 'twilio-test-token',
  ) {
    super();
    this.route('POST', /^\/2010-04-01\/Accounts\/(\w+)\/Messages\.json$/, (req, [sid]) => this.create(req, sid!));
  }

  protected faultBody(status: number): unknown {
    return status === 429
      ? { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status }
      : { code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status };
  }

  private error(status: number, code: number, message: string): Reply {
    return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
  }

  private create(req: RecordedRequest, sid: string): Reply {
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (sid !== this.accountSid || req.headers.authorization !== expected) return this.error(401, 20003, 'Authenticate');
    const form = new URLSearchParams(req.body);
    const to = form.get('To') ?? '';
    if (!/^\+[1-9]\d{7,14}$/.test(to)) return this.error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (this.unsubscribed.has(to)) return this.error(400, 21610, 'Attempt to send to unsubscribed recipient');
    const message = { sid: `SM${randomBytes(16).toString('hex')}`, to, from: form.get('From') ?? '', body: form.get('Body') ?? '' };
    this.messages.push(message);
    return {
      status: 201,
      body: { sid: message.sid, account_sid: sid, to: message.to, from: message.from, body: message.body, status: 'queued', num_segments: '1' },
    };
  }
}
