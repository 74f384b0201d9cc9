/**
 * Amazon SES (v2 API) SendEmail for email messages: a plain-text body from the verified sender.
 * Throttling, service faults and a call out of time (SES_TIMEOUT_MS, well inside the NotifyWorker's
 * timeout) are retried later; anything else (unverified sender, rejected recipient) is not.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { MessageDeferredError, MessageRejectedError, type MessageProvider, type OutgoingMessage } from './types';

/** One SendEmail (the SDK's own retries included) may take this long before it is retried later. */
export const SES_TIMEOUT_MS = 5_000;

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
          Content: {
            Simple: {
              Subject: { Data: message.subject ?? '' },
              Body: { Text: { Data: message.text }, ...(message.html ? { Html: { Data: message.html } } : {}) },
            },
          },
        }),
        { abortSignal: AbortSignal.timeout(SES_TIMEOUT_MS) },
      );
      return { providerMessageId: sent.MessageId };
    } catch (error) {
      const fault = error as { name: string; message: string; $retryable?: unknown; $fault?: string };
      const detail = `SES refused the email: ${fault.name}: ${fault.message}`;
      if (fault.name === 'AbortError' || fault.name === 'TimeoutError') throw new MessageDeferredError(`SES did not answer within ${SES_TIMEOUT_MS} ms`);
      if (fault.$retryable || fault.$fault === 'server' || fault.name === 'TooManyRequestsException') throw new MessageDeferredError(detail);
      throw new MessageRejectedError(detail);
    }
  }
}
