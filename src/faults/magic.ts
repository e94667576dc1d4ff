// Magic recipients: zero-configuration faults chosen by the `+tag` of a PEC address, such as
// `mario.rossi+silenzio@pec.beta.test`. A tag stands for a few ordinary rules (the same data a
// scenario would write) bound to that exact address; whatever the fault leaves alone is delivered
// to the mailbox without the tag. The receipts keep naming the address as the sender wrote it
// (daticert `consegna`, `ricezione`), because that is the recipient the sender correlates by.
import type { FaultRule } from './types.js';

export interface MagicTag {
  /** the tag as written after `+`; `<N>` stands for a number */
  tag: string;
  /** what happens, in one line */
  fault: string;
  /** what the sender's mailbox gets after the accettazione */
  sender: string;
  /** what the recipient's mailbox gets */
  recipient: string;
}

export const MAGIC_TAGS: readonly MagicTag[] = [
  { tag: 'silenzio', fault: "the recipient's gestore takes the busta and never answers", sender: 'preavviso di mancata consegna at 12 h, avviso per superamento tempi massimi at 24 h', recipient: 'nothing' },
  { tag: 'piena', fault: 'the mailbox is full', sender: 'avviso di mancata consegna, errore `altro`, errore-esteso 5.2.2', recipient: 'nothing' },
  { tag: 'virus', fault: "the recipient's gestore finds a virus", sender: 'avviso di mancata consegna per virus (after rilevazione virus between the gestori)', recipient: 'nothing' },
  { tag: 'doppia', fault: 'the delivery receipt is sent twice', sender: 'two ricevute di avvenuta consegna (different Message-IDs, same identificativo)', recipient: 'the busta, once' },
  { tag: '541', fault: "the recipient's MX refuses RCPT with 550 5.4.1; the sender's gestore words the definitive failure as a preavviso (Aruba, Namirial)", sender: 'X-Ricevuta: preavviso-errore-consegna, daticert tipo preavviso-errore-consegna, errore-esteso starting 5.4.1; no 12 h / 24 h notices follow', recipient: 'nothing' },
  { tag: 'ritardo-<N>h', fault: 'the delivery receipt arrives N virtual hours late (also `<N>m`)', sender: 'avvenuta consegna after N hours; with N > 12 the 12 h preavviso comes first', recipient: 'the busta, at once' },
];

/** `mario.rossi+doppia@pec.beta.test` -> { base: 'mario.rossi@pec.beta.test', tag: 'doppia' } */
export function splitTag(address: string): { base: string; tag: string } | null {
  const at = address.lastIndexOf('@');
  const plus = address.indexOf('+');
  if (at < 0 || plus < 0 || plus > at) return null;
  const tag = address.slice(plus + 1, at).toLowerCase();
  return tag ? { base: `${address.slice(0, plus)}${address.slice(at)}`.toLowerCase(), tag } : null;
}

/** the rules a magic address stands for; empty when the tag is not a magic one */
export function magicRules(address: string): FaultRule[] {
  const split = splitTag(address);
  if (!split) return [];
  const { base, tag } = split;
  const recipient = address.toLowerCase();
  const rule = (suffix: string, at: FaultRule['at'], action: FaultRule['do'], match: FaultRule['match'] = {}): FaultRule => ({
    id: `+${tag}${suffix}`, description: `magic recipient ${recipient}`, at, match: { recipient, ...match }, do: action, times: 'always',
  });
  switch (tag) {
    case 'silenzio':
      return [rule('', 'ricezione', { drop: true })];
    case 'piena':
      return [rule('', 'consegna', { error: 'altro', mailbox: base })];
    case 'virus':
      return [rule('', 'ricezione', { error: 'virus' })];
    case 'doppia':
      return [rule('', 'consegna', { duplicate: true, mailbox: base })];
    case '541':
      return [
        rule(':rcpt', 'smtp.rcpt', { reply: { code: 550, message: `5.4.1 <${recipient}>: Recipient address rejected: Access denied` } }, { service: 'mx' }),
        rule(':ricevuta', 'ricevuta', { tipo: 'preavviso-errore-consegna' }, { kind: ['errore-consegna'] }),
      ];
  }
  const late = /^ritardo-(\d{1,4})(h|m)$/.exec(tag);
  if (late) return [rule('', 'consegna', { delay: `${late[1]}${late[2]}`, mailbox: base })];
  return [];
}
