/**
 * One interface for every way a message leaves JobRelay: the local outbox (default), Twilio SMS,
 * SES email. Providers throw MessageDeferredError when trying again later can help (throttling,
 * outage) and MessageRejectedError when it cannot (bad number, unsubscribed recipient).
 */
export interface OutgoingMessage {
  channel: 'sms' | 'email';
  to: string;
  text: string;
  subject?: string;
  /** Email: the HTML part (the plain-text part is `text`). */
  html?: string;
}

export interface MessageProvider {
  readonly name: string;
  send(message: OutgoingMessage): Promise<{ providerMessageId?: string }>;
}

export class MessageDeferredError extends Error {
  override name = 'MessageDeferredError';
}

export class MessageRejectedError extends Error {
  override name = 'MessageRejectedError';
}

/** The message has nobody to go to (no phone or email on file): retrying cannot help, a person adds one. */
export class MessageUnaddressableError extends MessageRejectedError {
  override name = 'MessageUnaddressableError';
}
