// Test files read the local services directly (to assert what they hold): same endpoints as the system.
import { inject } from 'vitest';

Object.assign(process.env, inject('localEnv'), { LOG_LEVEL: 'WARN' });
