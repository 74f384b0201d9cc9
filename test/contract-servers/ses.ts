/**
 * Amazon SES v2 contract server: SendEmail is POST /v2/email/outbound-emails (REST JSON) answering
 * {MessageId}; an unverified sender is 400 MessageRejected; throttling is 429 TooManyRequestsException.
 * The tenant's `messaging.email.endpoint` points the SDK at it, so whichever test process's worker
 * takes the message off the shared notify queue reaches the same server.
 */
import { randomUUID } from 'node:crypto';
import { ContractServer, type RecordedRequest, type Reply } from './base';

export class SesContract extends ContractServer {
  readonly emails: Array<{ from: string; to: string[]; subject: string; text: string; html: string }> = [];

  constructor(readonly verifiedSenders = new Set<string>()) {
    super();
    this.route('POST', /^\/v2\/email\/outbound-emails$/, (req) => this.sendEmail(req));
  }

  protected faultBody(status: number): unknown {
    return { message: status === 429 ? 'Maximum sending rate exceeded.' : 'Service unavailable' };
  }

  private sendEmail(req: RecordedRequest): Reply {
    const body = req.json as {
      FromEmailAddress?: string;
      Destination?: { ToAddresses?: string[] };
      Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } } } };
    };
    if (!body.FromEmailAddress || !this.verifiedSenders.has(body.FromEmailAddress)) {
      return { status: 400, headers: { 'x-amzn-errortype': 'MessageRejected' }, body: { message: `Email address is not verified: ${body.FromEmailAddress}` } };
    }
    this.emails.push({
      from: body.FromEmailAddress,
      to: body.Destination?.ToAddresses ?? [],
      subject: body.Content?.Simple?.Subject?.Data ?? '',
      text: body.Content?.Simple?.Body?.Text?.Data ?? '',
      html: body.Content?.Simple?.Body?.Html?.Data ?? '',
    });
    return { status: 200, body: { MessageId: randomUUID() } };
  }
}
