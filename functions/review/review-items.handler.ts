/**
 * The review queue's routes (list, one item, resolve): one Lambda, the route name picks the operation.
 * Redrive stays its own Lambda: it alone may move messages between queues.
 */
import { routeOperations } from '../shared/route-operations';
import { handler as getReviewItem } from './get-review-item.handler';
import { handler as listReviewItems } from './list-review-items.handler';
import { handler as resolveReviewItem } from './resolve-review-item.handler';

export const handler = routeOperations({ listReviewItems, getReviewItem, resolveReviewItem });
