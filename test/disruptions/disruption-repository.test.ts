import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  findDisruptionWithUpdates,
  insertDisruption,
  insertDisruptionUpdate,
  listDisruptions,
  listDisruptionsWithUpdates,
  setDisruptionStatus,
} from '../../src/disruptions/disruption-repository.js';
import type { DisruptionStatus } from '../../src/rules/disruption-status.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const at = (iso: string) => new Date(iso);

describe.each(testBackends)('disruption repository on $name', (backend) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await backend.open();
  });
  afterEach(async () => {
    await database?.close();
  });

  /** A disruption registered at `from`, with one update per further status, an hour apart. */
  async function arrange(title: string, from: string, statuses: DisruptionStatus[]): Promise<string> {
    const id = randomUUID();
    const start = at(from);
    await insertDisruption(database.db, {
      id,
      title,
      description: 'Det går inte att logga in.',
      systems: ['tes'],
      status: statuses[0]!,
      revision: 1,
      created_by: 'admin',
      created_at: start,
      updated_at: start,
    });
    for (const [i, status] of statuses.entries()) {
      const when = new Date(start.getTime() + i * 3_600_000);
      await insertDisruptionUpdate(database.db, { id: randomUUID(), disruption_id: id, sequence: i + 1, status, message: `steg ${i + 1}`, created_by: 'admin', at: when });
      if (i > 0) await setDisruptionStatus(database.db, id, { status, revision: i + 1, at: when });
    }
    return id;
  }

  it('when a disruption is read with its updates, then they come in order and the latest status is its own', async () => {
    const id = await arrange('Tes nere', '2027-03-30T07:00:00Z', ['investigating', 'identified', 'monitoring', 'resolved']);
    const found = (await findDisruptionWithUpdates(database.db, id))!;
    expect(found.updates.map((u) => [u.sequence, u.status, u.message])).toEqual([
      [1, 'investigating', 'steg 1'],
      [2, 'identified', 'steg 2'],
      [3, 'monitoring', 'steg 3'],
      [4, 'resolved', 'steg 4'],
    ]);
    expect(found.disruption).toMatchObject({ status: 'resolved', revision: 4 });
    expect(found.disruption.resolved_at?.toISOString()).toBe('2027-03-30T10:00:00.000Z');
    expect(await findDisruptionWithUpdates(database.db, randomUUID())).toBeUndefined();
  });

  it('when listed by from, to and status, then those going on in the range come, newest first', async () => {
    const early = await arrange('Tidig', '2027-03-01T07:00:00Z', ['investigating', 'resolved']); // over 08:00
    const open = await arrange('Pågår', '2027-03-10T07:00:00Z', ['investigating', 'identified']);
    const late = await arrange('Sen', '2027-03-20T07:00:00Z', ['investigating']);

    const titles = async (filter: Parameters<typeof listDisruptions>[1]) => (await listDisruptions(database.db, filter)).map((d) => d.title);
    expect(await titles({})).toEqual(['Sen', 'Pågår', 'Tidig']);
    expect(await titles({ from: at('2027-03-02T00:00:00Z') })).toEqual(['Sen', 'Pågår']);
    expect(await titles({ from: at('2027-03-01T08:00:00Z') })).toEqual(['Sen', 'Pågår', 'Tidig']);
    expect(await titles({ to: at('2027-03-20T07:00:00Z') })).toEqual(['Pågår', 'Tidig']);
    expect(await titles({ statuses: ['investigating', 'identified', 'monitoring'] })).toEqual(['Sen', 'Pågår']);
    expect(await titles({ statuses: ['resolved'] })).toEqual(['Tidig']);

    const withUpdates = await listDisruptionsWithUpdates(database.db, { from: at('2027-03-05T00:00:00Z') });
    expect(withUpdates.map((d) => [d.disruption.id, d.updates.map((u) => u.sequence)])).toEqual([
      [late, [1]],
      [open, [1, 2]],
    ]);
    expect(early).toBeTruthy();
  });

  it('when a notice names both a window and a disruption, or neither, then the database refuses it', async () => {
    const id = await arrange('Tes nere', '2027-03-30T07:00:00Z', ['investigating']);
    const notice = (subject: { window_id: string | null; disruption_id: string | null }) =>
      database.db
        .insertInto('notices')
        .values({
          id: randomUUID(),
          ...subject,
          revision: 1,
          audience: 'managers',
          kind: 'announcement',
          lead_days: null,
          previous_start_at: null,
          previous_end_at: null,
          due_at: new Date(),
          required_by: new Date(),
          status: 'pending',
          late: false,
          dispatched_at: null,
          sent_at: null,
          error: null,
          created_at: new Date(),
        })
        .execute();
    await expect(notice({ window_id: null, disruption_id: null })).rejects.toThrow(/check constraint/i);
    await expect(notice({ window_id: randomUUID(), disruption_id: id })).rejects.toThrow(/constraint/i);
    await expect(notice({ window_id: null, disruption_id: id })).resolves.toBeDefined();
  });
});
