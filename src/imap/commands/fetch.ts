// FETCH and UID FETCH: answers each message in turn, straight from the stored bytes (sections
// are byte ranges of them), waiting on the socket when a large answer fills its buffer. Non-PEEK
// body fetches that return content set \Seen first, so the FLAGS reported are the new ones.

import { formatInternalDate } from '../dates.js';
import { bad, no } from '../errors.js';
import { parseFetchItems, type FetchItem, type FetchPlan } from '../fetch-items.js';
import { hasFlag } from '../flags.js';
import type { MailboxView } from '../mailbox-view.js';
import { bodyStructure, envelope } from '../mime/describe.js';
import { readHeaderBlock, type HeaderField } from '../mime/header.js';
import { parseMessage, resolveSection, sectionRange, type MimeEntity } from '../mime/structure.js';
import { ok, type CommandSpec, type Session } from '../session.js';
import { encode, toBuffer, type Piece } from '../wire.js';
import type { MessageRecord } from '../../store/types.js';
import { targetUids } from './selected.js';

/** one message's bytes with its MIME tree parsed only when an item asks for it */
class Loaded {
  private tree: MimeEntity | null = null;
  private header: { fields: HeaderField[]; end: number } | null = null;
  constructor(readonly raw: Buffer) {}

  root(): MimeEntity {
    this.tree ??= parseMessage(this.raw);
    return this.tree;
  }

  rootHeader(): { fields: HeaderField[]; end: number } {
    if (this.tree) return { fields: this.tree.fields, end: this.tree.headerEnd };
    this.header ??= readHeaderBlock(this.raw, 0, this.raw.length);
    return this.header;
  }
}

function literal(bytes: Buffer): Piece[] {
  return [`{${bytes.length}}\r\n`, bytes];
}

function sectionBytes(item: Extract<FetchItem, { kind: 'section' }>, msg: Loaded): Buffer | null {
  const raw = msg.raw;
  let bytes: Buffer;
  if (item.path.length === 0 && item.spec !== 'MIME') {
    // top-level sections need only the header boundary, not the whole tree
    const header = msg.rootHeader();
    if (item.spec === '') bytes = raw;
    else if (item.spec === 'TEXT') bytes = raw.subarray(header.end);
    else if (item.spec === 'HEADER') bytes = raw.subarray(0, header.end);
    else bytes = pickFields(raw, header.fields, item.fields, item.spec === 'HEADER.FIELDS.NOT');
  } else {
    const base = item.spec === 'HEADER.FIELDS' || item.spec === 'HEADER.FIELDS.NOT' ? 'HEADER' : item.spec;
    const target = resolveSection(msg.root(), item.path, base);
    if (!target) return null;
    if (base !== item.spec) bytes = pickFields(raw, target.entity.fields, item.fields, item.spec === 'HEADER.FIELDS.NOT');
    else {
      const [start, end] = sectionRange(target);
      bytes = raw.subarray(start, end);
    }
  }
  if (item.partial) {
    const { origin, length } = item.partial;
    bytes = origin >= bytes.length ? Buffer.alloc(0) : bytes.subarray(origin, origin + length);
  }
  return bytes;
}

/** the named header fields, each exactly as stored (folding included), then the blank line */
function pickFields(raw: Buffer, fields: HeaderField[], names: string[], exclude: boolean): Buffer {
  const wanted = new Set(names);
  const parts: Buffer[] = [];
  for (const field of fields) {
    if (!field.key || wanted.has(field.key) === exclude) continue;
    parts.push(raw.subarray(field.start, field.end));
    const last = raw[field.end - 1];
    if (last !== 0x0a) parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function messagePieces(view: MailboxView, seq: number, record: MessageRecord, plan: FetchPlan, msg: Loaded | null, addFlags: boolean): Piece[] {
  const out: Piece[] = [`* ${seq} FETCH (`];
  let first = true;
  const sep = (): void => {
    if (!first) out.push(' ');
    first = false;
  };
  for (const item of plan.items) {
    sep();
    switch (item.kind) {
      case 'UID':
        out.push(`UID ${record.uid}`);
        break;
      case 'FLAGS':
        out.push(`FLAGS (${view.flagsOf(record.uid).join(' ')})`);
        break;
      case 'INTERNALDATE':
        out.push(`INTERNALDATE "${formatInternalDate(record.internalDate)}"`);
        break;
      case 'RFC822.SIZE':
        out.push(`RFC822.SIZE ${record.size}`);
        break;
      case 'ENVELOPE':
        out.push('ENVELOPE ');
        encode(envelope(msg!.rootHeader().fields), out);
        break;
      case 'BODY':
      case 'BODYSTRUCTURE':
        out.push(`${item.kind} `);
        encode(bodyStructure(msg!.raw, msg!.root(), item.kind === 'BODYSTRUCTURE'), out);
        break;
      case 'RFC822':
        out.push('RFC822 ', ...literal(msg!.raw));
        break;
      case 'RFC822.HEADER':
        out.push('RFC822.HEADER ', ...literal(msg!.raw.subarray(0, msg!.rootHeader().end)));
        break;
      case 'RFC822.TEXT':
        out.push('RFC822.TEXT ', ...literal(msg!.raw.subarray(msg!.rootHeader().end)));
        break;
      case 'section': {
        const bytes = sectionBytes(item, msg!);
        out.push(`${item.label} `);
        if (bytes === null) out.push('NIL');
        else out.push(...literal(bytes));
        break;
      }
    }
  }
  if (addFlags) {
    sep();
    out.push(`FLAGS (${view.flagsOf(record.uid).join(' ')})`);
  }
  out.push(')\r\n');
  return out;
}

/** whether one of the plan's non-PEEK part sections exists in this message (see SeenRule) */
function hasPartContent(plan: FetchPlan, msg: Loaded): boolean {
  return plan.items.some((item) => item.kind === 'section' && !item.peek && item.path.length > 0 && sectionBytes(item, msg) !== null);
}

function markSeen(s: Session, view: MailboxView, uids: number[], seenNow: Set<number>): void {
  if (uids.length === 0) return;
  const records = s.mutate(() => s.store.setFlags(view.folderId, uids, ['\\Seen'], 'add'));
  for (const record of records) {
    view.noteFlags(record.uid, record.flags, false);
    seenNow.add(record.uid);
  }
}

/** a response cut inside its first literal, half of it sent (without a literal: half of the response) */
function cutInFirstLiteral(pieces: Piece[]): Buffer {
  const whole = toBuffer(pieces);
  let offset = 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    offset += typeof piece === 'string' ? Buffer.byteLength(piece, 'latin1') : piece.length;
    const next = pieces[i + 1];
    if (typeof piece === 'string' && /\{\d+\}\r\n$/.test(piece) && Buffer.isBuffer(next)) return whole.subarray(0, offset + Math.floor(next.length / 2));
  }
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/**
 * What answering `uid` takes: its record, sequence number and, when the plan reads bytes, the
 * bytes. null: not in this session's view; 'gone': expunged by another session, not yet reported.
 */
function answerable(s: Session, view: MailboxView, uid: number, plan: FetchPlan): { record: MessageRecord; seq: number; msg: Loaded | null } | null | 'gone' {
  const record = view.record(uid);
  const seq = view.seqOf(uid);
  if (!record || seq === 0) return null;
  if (!plan.needsRaw) return { record, seq, msg: null };
  try {
    return { record, seq, msg: new Loaded(s.store.getRaw(record.id)) };
  } catch {
    return 'gone';
  }
}

/** the first answerable message's response, cut by cutInFirstLiteral; null when none is left */
function cutFirstResponse(s: Session, view: MailboxView, uids: number[], plan: FetchPlan): Buffer | null {
  for (const uid of uids) {
    const target = answerable(s, view, uid, plan);
    if (target && target !== 'gone') return cutInFirstLiteral(messagePieces(view, target.seq, target.record, plan, target.msg, false));
  }
  return null;
}

function fetchCommand(byUid: boolean): CommandSpec {
  return {
    states: ['selected'],
    expungeAllowed: byUid,
    async run(s: Session, c) {
      if (c.args.length !== 2) throw bad('FETCH expects a sequence set and data items');
      const view = s.view!;
      const plan = parseFetchItems(c.args[1], byUid);
      const uids = targetUids(view, c.args[0], byUid);
      const verdict = await s.ctx.hooks.beforeFetch?.({
        sessionId: s.id,
        remoteAddress: s.remoteAddress,
        address: s.address,
        mailbox: view.name,
        uids,
      });
      if (s.closed) return 'done';
      if (verdict?.action === 'drop') {
        s.destroy('beforeFetch hook dropped the connection');
        return 'done';
      }
      if (verdict?.action === 'drop-mid-literal') {
        const cut = cutFirstResponse(s, view, uids, plan);
        if (cut) await s.destroyAfter(cut, 'beforeFetch hook dropped the connection mid-literal');
        else s.destroy('beforeFetch hook dropped the connection (nothing to answer)');
        return 'done';
      }
      if (verdict?.action === 'refuse') return { status: 'NO', code: 'UNAVAILABLE', text: verdict.text ?? 'FETCH refused' };

      const seenNow = new Set<number>();
      const seen = view.readOnly ? 'never' : plan.seen;
      const unseen = (uid: number): boolean => !view.isExpunged(uid) && !hasFlag(view.record(uid)?.flags ?? [], '\\Seen');
      // set before answering, so the FLAGS reported are the new ones; all at once when every
      // message gets it, else message by message once its parts are known
      if (seen === 'always') markSeen(s, view, uids.filter(unseen), seenNow);
      const reportsFlags = plan.items.some((i) => i.kind === 'FLAGS');
      // small answers (FLAGS of 10,000 messages) go out in batches, not one write each
      let batch: Buffer[] = [];
      let batched = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const data = batch.length === 1 ? batch[0] : Buffer.concat(batch, batched);
        batch = [];
        batched = 0;
        await s.writeAwait(data);
      };
      let missing = 0;
      for (const uid of uids) {
        if (s.closed) return 'done';
        const target = answerable(s, view, uid, plan);
        if (target === 'gone') missing++;
        if (!target || target === 'gone') continue;
        const { record, seq, msg } = target;
        if (seen === 'if-part-exists' && unseen(uid) && hasPartContent(plan, msg!)) markSeen(s, view, [uid], seenNow);
        const response = toBuffer(messagePieces(view, seq, record, plan, msg, seenNow.has(uid) && !reportsFlags));
        batch.push(response);
        batched += response.length;
        if (batched >= 64 * 1024) await flush();
      }
      await flush();
      if (missing) throw no('Some messages were expunged and could not be fetched', 'EXPUNGEISSUED');
      return ok('FETCH completed');
    },
  };
}

export const fetchCommands: Record<string, CommandSpec> = {
  FETCH: fetchCommand(false),
  'UID FETCH': fetchCommand(true),
};
