/**
 * Twilio Programmable Messaging: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded
 * To, From, Body, HTTP basic auth (Account SID : Auth Token). 201 with the message `sid`; errors are
 * JSON {code, message, status}. 429 and 5xx are worth retrying; other 4xx (e.g. 21610, the recipient
 * replied STOP; 21211, an invalid number) are not.
 */
import { MessageDeferredError, MessageRejectedError, type MessageProvider, type OutgoingMessage } from './types';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  /** For the local contract server; Twilio's API otherwise. */
  baseUrl?: string;
  timeoutMs?: number;
}

export class TwilioSmsProvider implements MessageProvider {
  readonly name = 'twilio';

  constructor(private readonly settings: TwilioSettings) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId?: string }> {
    const { accountSid, authToken, from, baseUrl = 'https://api.twilio.com', timeoutMs = 5_000 } = this.settings;
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: message.to, From: from, Body: message.text }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // Out of time (TimeoutError) or unreachable: worth another try, never a refusal.
      throw new MessageDeferredError(`Twilio unreachable: ${(error as Error).name}`);
    }
    const body = (await response.json().catch(() => ({}))) as { sid?: string; code?: number; message?: string };
    if (response.ok) return { providerMessageId: body.sid };
    const detail = `Twilio answered HTTP ${response.status}${body.code ? ` (error ${body.code}: ${body.message})` : ''}`;
    if (response.status === 429 || response.status >= 500) throw new MessageDeferredError(detail);
    throw new MessageRejectedError(detail);
  }
}
