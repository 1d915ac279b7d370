import type { DateTime } from 'luxon';
import type { RuleBook } from '../rules/notice-plan.js';
import { checkAgainstTaken, checkWindow, type WindowCheck, type WindowDraft } from '../rules/window-rules.js';
import type { Db } from '../storage/database.js';
import { insertWindowsWithNotices, listTakenWindows, listTakenWindowsBetween, lockRegister, type TakenWindowRow } from './window-repository.js';
import { allowances, newWindowRows, takenWindow, type CommittedChange, type NewWindowInput, type NewWindowRows } from './window-rows.js';

/*
 * Creates that arrive while another holds the register's lock share the next transaction,
 * as PostgreSQL's group commit shares a flush. Each create held the lock through its round
 * trips and through its commit, which waits for the write-ahead log to reach the disk behind
 * whatever a fan-out wrote meanwhile; ten clients creating at once queued behind each other
 * for it. A group takes the lock once, reads the windows sharing its time once, judges its
 * creates one after the other (each against the register and the group's creates before it,
 * exactly as if each had come after the one before), writes the accepted ones in one
 * statement and commits once. A create that finds no group gathering starts one at once, so
 * a lone create waits for nothing.
 */

/** A create judged alone and waiting for the register. */
export interface GroupedCreate {
  rules: RuleBook;
  input: NewWindowInput;
  draft: WindowDraft;
  /** `checkWindow` of the draft with no taken windows, worked out before the lock. */
  alone: WindowCheck;
  actor: string;
  now: DateTime;
}

/** A create stored, or its check that refuses it. */
export type GroupedOutcome = { committed: CommittedChange } | { refused: WindowCheck };

interface Waiting extends GroupedCreate {
  resolve(outcome: GroupedOutcome): void;
  reject(error: unknown): void;
}

interface Group {
  waiting: Waiting[];
  /** A group has begun its transaction and waits for the register's lock; it takes the creates waiting when it gets it. */
  gathering: boolean;
}

/** Creates that share one transaction at most: one statement writes them all. */
const MOST_IN_GROUP = 50;

/** The creates waiting for each database, and whether a group is gathering them. */
const groups = new WeakMap<Db, Group>();

/** Judges and stores the create in the next group of `db`; resolves once that group has committed. */
export function createInGroup(db: Db, create: GroupedCreate): Promise<GroupedOutcome> {
  let group = groups.get(db);
  if (!group) groups.set(db, (group = { waiting: [], gathering: false }));
  const gathering = group;
  return new Promise((resolve, reject) => {
    gathering.waiting.push({ ...create, resolve, reject });
    gatherNext(db, gathering);
  });
}

/**
 * Begins the next group when creates wait and none is gathering. A group begins its
 * transaction and asks for the lock while the one before still writes and commits, so the
 * lock passes from one to the next inside PostgreSQL, without a round trip between.
 */
function gatherNext(db: Db, group: Group): void {
  if (group.gathering || group.waiting.length === 0) return;
  group.gathering = true;
  void runGroup(db, group);
}

/** Runs one group; never throws: each create is told its own outcome or error. */
async function runGroup(db: Db, group: Group): Promise<void> {
  let creates: Waiting[] | undefined;
  const take = () => {
    creates = group.waiting.splice(0, MOST_IN_GROUP);
    group.gathering = false;
    gatherNext(db, group);
    return creates;
  };
  let outcomes: GroupedOutcome[];
  try {
    outcomes = await db.transaction().execute(async (trx) => {
      await lockRegister(trx);
      return judgeAndWrite(trx, take());
    });
  } catch (error) {
    // One statement wrote the whole group: when the group fails, each create is tried alone,
    // so that only the one at fault fails, as when each had a transaction of its own.
    for (const create of creates ?? take()) {
      await db
        .transaction()
        .execute(async (trx) => {
          await lockRegister(trx);
          return judgeAndWrite(trx, [create]);
        })
        .then(([outcome]) => create.resolve(outcome!), create.reject);
    }
    return;
  }
  creates!.forEach((create, i) => create.resolve(outcomes[i]!));
}

/** The group's creates judged one after the other and the accepted ones written, under the register's lock. */
async function judgeAndWrite(trx: Db, creates: readonly GroupedCreate[]): Promise<GroupedOutcome[]> {
  // One read for the group: the windows sharing any of its times, from the earliest `now` on.
  const earliest = new Date(Math.min(...creates.map((c) => c.now.toMillis())));
  const from = new Date(Math.min(...creates.map((c) => c.input.start.toMillis())));
  const to = new Date(Math.max(...creates.map((c) => c.input.end.toMillis())));
  const around = await listTakenWindowsBetween(trx, earliest, { from, to });
  let register: TakenWindowRow[] | undefined;
  const accepted: NewWindowRows[] = [];
  const judged: (NewWindowRows | WindowCheck)[] = [];
  for (const create of creates) {
    const { rules, input, draft, now } = create;
    const earlier = accepted.map((rows) => rows.window);
    // What listTakenWindowsBetween would read for this create alone, had the group's earlier ones committed.
    const holding = (row: TakenWindowRow) => row.end_at.getTime() > now.toMillis();
    const sharing = (row: TakenWindowRow) => holding(row) && row.end_at.getTime() > input.start.toMillis() && row.start_at.getTime() < input.end.toMillis();
    const options = allowances(input);
    const taken = (rows: TakenWindowRow[]) => byStart(rows).map((row) => takenWindow(rules, row));
    let check = checkAgainstTaken(rules, draft, now, { ...options, taken: taken([...around, ...earlier].filter(sharing)) }, create.alone);
    if (check.violations.length > 0) {
      // A refusal is checked again with the whole register, whose free slots its suggestion is chosen from.
      register ??= await listTakenWindows(trx, earliest);
      check = checkWindow(rules, draft, now, { ...options, taken: taken([...register, ...earlier].filter(holding)) });
    }
    if (check.violations.length > 0) {
      judged.push(check);
      continue;
    }
    const rows = newWindowRows(input, check, { actor: create.actor, now });
    accepted.push(rows);
    judged.push(rows);
  }
  const stored = new Map(
    (await insertWindowsWithNotices(trx, accepted.map((rows) => rows.window), accepted.flatMap((rows) => rows.notices), accepted.map((rows) => rows.audit))).map((window) => [window.id, window]),
  );
  return judged.map((outcome) =>
    'audit' in outcome ? { committed: { window: stored.get(outcome.window.id)!, notices: outcome.notices } } : { refused: outcome },
  );
}

/** By start, as the register is read; windows starting together keep the order they came in. */
function byStart(rows: TakenWindowRow[]): TakenWindowRow[] {
  return rows.sort((a, b) => a.start_at.getTime() - b.start_at.getTime());
}
