/**
 * Amazon SES (v2 API) SendEmail for email messages: a plain-text body from the verified sender.
 * Throttling and service faults are retried later; anything else (unverified sender, rejected
 * recipient) is not.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { MessageDeferredError, MessageRejectedError, type MessageProvider, type OutgoingMessage } from './types';

/** One client per endpoint (AWS's own under ''), reused across warm invocations. */
const clients = new Map<string, SESv2Client>();

export class SesEmailProvider implements MessageProvider {
  readonly name = 'ses';

  constructor(
    private readonly from: string,
    private readonly endpoint?: string,
  ) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId?: string }> {
    const key = this.endpoint ?? '';
    let client = clients.get(key);
    if (!client) {
      client = new SESv2Client(this.endpoint ? { endpoint: this.endpoint } : {});
      clients.set(key, client);
    }
    try {
      const sent = await client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [message.to] },
          Content: { Simple: { Subject: { Data: message.subject ?? '' }, Body: { Text: { Data: message.text } } } },
        }),
      );
      return { providerMessageId: sent.MessageId };
    } catch (error) {
      const fault = error as { name: string; message: string; $retryable?: unknown; $fault?: string };
      const detail = `SES refused the email: ${fault.name}: ${fault.message}`;
      if (fault.$retryable || fault.$fault === 'server' || fault.name === 'TooManyRequestsException') throw new MessageDeferredError(detail);
      throw new MessageRejectedError(detail);
    }
  }
}
