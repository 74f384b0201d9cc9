import type { MessageProvider } from './types';

/** The default provider: nothing leaves the machine; the worker's outbox row is the delivery. */
export const outboxProvider: MessageProvider = {
  name: 'outbox',
  async send() {
    return {};
  },
};
