import { randomFillSync } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';

/**
 * nodemailer's compiled message, from a skeleton compiled once per message shape.
 *
 * Every notice of a rush has the same MIME tree (same sender, headers and parts), and its
 * bodies come finished (`{ raw }` parts from composeNotice). Only the Subject, the Date,
 * the random part of the boundaries and the raw parts differ, yet a MailComposer build
 * walks the tree through streams and draws randomness for every node. So the shape is
 * compiled once with markers in those places, and each message fills them: the Subject
 * encoded by nodemailer's own header code, the Date as nodemailer writes it, a fresh
 * boundary drawn as nodemailer draws it, and the parts. The bytes are those MailComposer
 * writes for the message (test/messages/message-skeleton.test.ts compares them). A message
 * of another form (bodies to encode, a date of its own, no subject) is compiled as it is.
 */
export async function compileMessage(message: SendMailOptions): Promise<Buffer> {
  const shape = shapeOf(message);
  if (!shape) return new MailComposer(message).compile().build();
  const key = JSON.stringify(shape.message);
  let skeleton = skeletons.get(key);
  if (!skeleton) {
    skeleton = await compileSkeleton(shape.message, shape.parts.length);
    if (skeletons.size >= MAX_SKELETONS) skeletons.clear();
    skeletons.set(key, skeleton);
  }
  return fill(skeleton, message.subject as string, shape.parts);
}

/** Shapes differ by sender, method and the parts a message has: a handful per process. */
const MAX_SKELETONS = 100;
const skeletons = new Map<string, Skeleton>();

const SUBJECT_MARK = 'driftstopp-subject-5c1e8a04b7';
/** As long as nodemailer's own random part (8 bytes in hex), so every header folds the same. */
const BOUNDARY_MARK = 'b0undary5c1e8a04';
const partMark = (index: number) => `driftstopp-part-${index}-5c1e8a04b7`;
const MARKS = /driftstopp-subject-5c1e8a04b7|b0undary5c1e8a04|driftstopp-part-(\d+)-5c1e8a04b7/g;

/** What is compiled as the skeleton and, apart, what fills it. */
interface Shape {
  message: SendMailOptions;
  parts: string[];
}

/** The fields a skeleton knows how to fill; anything else is compiled as it is. */
const SHAPED_FIELDS = new Set(['from', 'subject', 'text', 'html', 'headers', 'alternatives', 'attachments', 'messageId']);

function shapeOf(message: SendMailOptions): Shape | null {
  // buildHeaders leaves out a Subject of white space alone.
  if (typeof message.subject !== 'string' || !message.subject.trim()) return null;
  if (Object.keys(message).some((field) => !SHAPED_FIELDS.has(field))) return null;
  // A Date among the custom headers is kept by nodemailer, so it is not the skeleton's to fill.
  const { headers } = message;
  if (headers !== undefined && (typeof headers !== 'object' || Array.isArray(headers) || Object.keys(headers).some((name) => /^date$/i.test(name)))) return null;
  const parts: string[] = [];
  const mark = (part: unknown): { raw: string } | null => {
    if (typeof part !== 'object' || part === null || Object.keys(part).join() !== 'raw') return null;
    const raw = (part as { raw: unknown }).raw;
    if (typeof raw !== 'string') return null;
    parts.push(raw);
    return { raw: partMark(parts.length - 1) };
  };
  const shaped: SendMailOptions = { ...message, subject: SUBJECT_MARK };
  for (const field of ['text', 'html'] as const) {
    if (message[field] === undefined) continue;
    const marked = mark(message[field]);
    if (!marked) return null;
    shaped[field] = marked;
  }
  for (const field of ['alternatives', 'attachments'] as const) {
    const list = message[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return null;
    const marked = list.map(mark);
    if (marked.some((part) => part === null)) return null;
    shaped[field] = marked as { raw: string }[];
  }
  return { message: shaped, parts };
}

type Hole = { kind: 'subject' } | { kind: 'date' } | { kind: 'boundary' } | { kind: 'part'; index: number };

/** The compiled shape cut at its holes: `holes[i]` goes between `pieces[i]` and `pieces[i + 1]`. */
interface Skeleton {
  pieces: string[];
  holes: Hole[];
}

async function compileSkeleton(shape: SendMailOptions, partCount: number): Promise<Skeleton> {
  const text = (await new MailComposer({ ...shape, baseBoundary: BOUNDARY_MARK } as SendMailOptions).compile().build()).toString('utf8');
  const found: { at: number; length: number; hole: Hole }[] = [];
  const headerEnd = text.indexOf('\r\n\r\n');
  const date = /^Date: ([^\r\n]*)\r\n/m.exec(text);
  if (!date || date.index > headerEnd) throw new Error('the compiled skeleton has no Date header');
  found.push({ at: date.index + 'Date: '.length, length: date[1]!.length, hole: { kind: 'date' } });
  for (const match of text.matchAll(MARKS)) {
    if (match[0] === SUBJECT_MARK) {
      // The whole line: the real subject may be encoded and folded over several.
      const line = `Subject: ${SUBJECT_MARK}\r\n`;
      const at = match.index - 'Subject: '.length;
      if (text.slice(at, at + line.length) !== line || at > headerEnd) throw new Error('the compiled skeleton has no Subject line of its own');
      found.push({ at, length: line.length, hole: { kind: 'subject' } });
    } else if (match[0] === BOUNDARY_MARK) found.push({ at: match.index, length: match[0].length, hole: { kind: 'boundary' } });
    else found.push({ at: match.index, length: match[0].length, hole: { kind: 'part', index: Number(match[1]) } });
  }
  // Each part exactly once, and one Subject: otherwise a filled message would lose or repeat something.
  const partsFound = found.flatMap((f) => (f.hole.kind === 'part' ? [f.hole.index] : []));
  if (partsFound.length !== partCount || new Set(partsFound).size !== partCount || found.filter((f) => f.hole.kind === 'subject').length !== 1) {
    throw new Error('the compiled skeleton does not hold each part and the subject once');
  }
  found.sort((a, b) => a.at - b.at);
  const pieces: string[] = [];
  let from = 0;
  for (const { at, length } of found) {
    pieces.push(text.slice(from, at));
    from = at + length;
  }
  pieces.push(text.slice(from));
  return { pieces, holes: found.map((f) => f.hole) };
}

function fill(skeleton: Skeleton, subject: string, parts: readonly string[]): Buffer {
  // As MimeNode makes them: 8 random bytes in hex for the boundaries, the Date when compiled.
  const boundary = randomHex8();
  const date = new Date().toUTCString().replace(/GMT/, '+0000');
  const subjectLines = subjectHeader(subject);
  let out = skeleton.pieces[0]!;
  skeleton.holes.forEach((hole, i) => {
    if (hole.kind === 'subject') out += subjectLines;
    else if (hole.kind === 'date') out += date;
    else if (hole.kind === 'boundary') out += boundary;
    else out += parts[hole.index]!;
    out += skeleton.pieces[i + 1]!;
  });
  return Buffer.from(out, 'utf8');
}

/**
 * 8 random bytes in hex, as `crypto.randomBytes(8).toString('hex')`, drawn from a pool
 * refilled every 512 messages: a system call per message cost more than the rest of its
 * boundary work.
 */
function randomHex8(): string {
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 8;
  return pool.toString('hex', poolAt - 8, poolAt);
}

const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/**
 * The Subject header line(s) as MimeNode's buildHeaders writes them: encoded (RFC 2047) by
 * the node's own header encoding, folded at 76, ending in CRLF.
 */
function subjectHeader(subject: string): string {
  return `${foldLines(`Subject: ${headerEncoder.encodeHeaderValue('Subject', subject)}`, 76)}\r\n`;
}

/** A node only for its header encoding; a boundary of its own spares it drawing a random one. */
const headerEncoder = new MimeNode(undefined, { baseBoundary: BOUNDARY_MARK } as ConstructorParameters<typeof MimeNode>[1]);
