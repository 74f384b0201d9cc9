/**
 * Amazon SES (v2 API) SendEmail for email messages: a plain-text body from the verified sender.
 * Throttling and service faults are retried later; anything else (unverified sender, rejected
 * recipient) is not.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { MessageDeferredError, MessageRejectedError, type MessageProvider, type OutgoingMessage } from './types';

let client: SESv2Client | undefined;

export class SesEmailProvider implements MessageProvider {
  readonly name = 'ses';

  constructor(private readonly from: string) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId?: string }> {
    client ??= new SESv2Client({});
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
