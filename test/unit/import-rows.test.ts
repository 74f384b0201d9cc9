/** CSV import rows: every bad row named with its line and field; arbitrary text never crashes the parser. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvFileError, parseCustomerRows, parseTechnicianRows } from '../../cli/import-rows';

describe('parseTechnicianRows', () => {
  it('turns lists and shifts into a technician', () => {
    const { good, bad } = parseTechnicianRows(
      'id,name,trades,skills,postal_codes,mon,sat\nt-1,Ann,plumbing|hvac,drains; ac-repair,78701;78702,8:00-17:00,09:00 - 13:00\n',
    );
    expect(bad).toEqual([]);
    expect(good[0]).toMatchObject({
      row: 2,
      value: {
        technicianId: 't-1',
        trades: ['plumbing', 'hvac'],
        skills: ['drains', 'ac-repair'],
        postalCodes: ['78701', '78702'],
        shifts: { mon: { start: '08:00', end: '17:00' }, sat: { start: '09:00', end: '13:00' } },
        active: true,
      },
    });
  });

  it('names the row and column of each problem', () => {
    const { good, bad } = parseTechnicianRows(
      [
        'id,name,trades,postal_codes,mon,daily_job_limit,active',
        ',No Id,plumbing,78701,,,',
        't-2,,plumbing,78701,,,',
        't-3,Limit,plumbing,78701,,99,',
        't-4,Off,plumbing,78701,,,no',
      ].join('\n'),
    );
    expect(bad.map((p) => [p.row, p.field])).toEqual([
      [2, 'id'],
      [3, 'name'],
      [4, 'daily_job_limit'],
    ]);
    expect(good.map((g) => [g.row, g.value.active])).toEqual([[5, false]]);
  });
});

describe('parseCustomerRows', () => {
  it('normalises phones and emails; short rows are rows with missing fields', () => {
    const { good, bad } = parseCustomerRows(
      ['name,phone,email,line1,city,region,postal_code', 'Ann,(512) 555-0101,ANN@Example.com,1 A St,Austin,TX,78701', 'Bo,512 555 0102'].join('\n'),
    );
    expect(good[0]!.value).toMatchObject({ phone: '+15125550101', email: 'ann@example.com', country: 'US' });
    expect(bad).toEqual([expect.objectContaining({ row: 3, field: 'line1' })]);
  });

  it('refuses a file that is not CSV, whole', () => {
    expect(() => parseCustomerRows('name,phone\n"unclosed,512\n')).toThrow(CsvFileError);
  });

  it('never crashes on arbitrary input: a row is good, bad, or the file is refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        for (const parse of [parseCustomerRows, parseTechnicianRows]) {
          try {
            const { good, bad } = parse(`name,phone,id,trades,postal_codes,line1,city,region,postal_code\n${text}`);
            for (const problem of bad) expect(problem.row).toBeGreaterThan(1);
            expect(good.length + bad.length).toBeGreaterThanOrEqual(0);
          } catch (error) {
            expect(error).toBeInstanceOf(CsvFileError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
