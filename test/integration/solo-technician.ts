/**
 * A test tenant whose capacity is one technician's minutes (capacity-reclaim, capacity-travel-buffer):
 * `solo`, a plumber with the drains skill, on shift 08:00-17:00 every day, 12 jobs a day, alone in
 * `postalCode` (a code no demo technician serves), and one drains job type of `durationMinutes`.
 * Not a test file.
 */
import { expect } from 'vitest';
import { createTestTenant, type TestTenant } from './helpers';

const shift = { start: '08:00', end: '17:00' };
const everyDay = { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift };

export async function soloTechnicianTenant(options: { name: string; postalCode: string; jobTypeId: string; durationMinutes: number }): Promise<TestTenant> {
  const tenant = await createTestTenant();
  const put = await tenant.call('PUT', '/v1/config/technicians/solo', {
    name: options.name,
    trades: ['plumbing'],
    skills: ['drains'],
    postalCodes: [options.postalCode],
    shifts: everyDay,
    dailyJobLimit: 12,
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const jobType = await tenant.call('PUT', `/v1/config/job-types/${options.jobTypeId}`, {
    name: options.jobTypeId,
    trade: 'plumbing',
    requiredSkills: ['drains'],
    durationMinutes: options.durationMinutes,
  });
  expect(jobType.status, JSON.stringify(jobType.body)).toBe(200);
  return tenant;
}
