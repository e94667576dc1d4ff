import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATICERT_DTD } from '../../src/pec/daticert.js';
import { daticertInstant, parseDtd, validateAgainstDtd } from '../../src/pec/verify-daticert.js';
import { daticertXml, DTD_FROM_RULES } from './handmade.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pec-verify-dtd-'));
  writeFileSync(join(dir, 'daticert.dtd'), DATICERT_DTD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xmllint(xml: string, name: string): boolean {
  const file = join(dir, `${name.replace(/\W+/g, '-')}.xml`);
  writeFileSync(file, xml);
  return spawnSync('xmllint', ['--noout', '--dtdvalid', join(dir, 'daticert.dtd'), file], { encoding: 'utf8' }).status === 0;
}

const valid = daticertXml({ tipo: 'avvenuta-consegna', ricevuta: 'breve', consegna: 'protocollo@pec.comune-mineo.test' });

const samples: Record<string, string> = {
  valid,
  'valid without msgid and oggetto': daticertXml({ tipo: 'accettazione', msgid: null }).replace(/ *<oggetto>.*<\/oggetto>\n/, ''),
  'errore attribute omitted (default)': valid.replace(' errore="nessuno"', ''),
  'with a DOCTYPE': valid.replace('<postacert', '<!DOCTYPE postacert SYSTEM "daticert.dtd">\n<postacert'),
  'msgid before identificativo': valid.replace(/( *<identificativo>.*\n)( *<msgid>.*\n)/, '$2$1'),
  'tipo not in the enumeration': valid.replace('tipo="avvenuta-consegna"', 'tipo="consegna"'),
  'errore not in the enumeration': valid.replace('errore="nessuno"', 'errore="none"'),
  'tipo missing': valid.replace('tipo="avvenuta-consegna" ', ''),
  'zona missing': valid.replace(' zona="+0100"', ''),
  'ricevuta with content': valid.replace('<ricevuta tipo="breve"/>', '<ricevuta tipo="breve">x</ricevuta>'),
  'ricevuta tipo unknown': valid.replace('<ricevuta tipo="breve"/>', '<ricevuta tipo="lunga"/>'),
  'undeclared element': valid.replace('</dati>', '<extra/></dati>'),
  'undeclared attribute': valid.replace('<mittente>', '<mittente lang="it">'),
  'no destinatari': valid.replace(/ *<destinatari.*\n/, ''),
  'two consegna': valid.replace(/( *<consegna>.*\n)/, '$1$1'),
  'text in element-only content': valid.replace('<intestazione>', '<intestazione>stray text'),
  'element inside text-only': valid.replace('<mittente>', '<mittente><b/>'),
  'wrong root': valid.replace(/postacert/g, 'certificato'),
  'not well-formed': valid.replace('</dati>', ''),
  'character references to legal characters': valid.replace(/<oggetto>/, '<oggetto>&#233;&#x1F4E7;&#x9;'),
  'character reference beyond Unicode': valid.replace(/<oggetto>/, '<oggetto>&#x110000;'),
  'character reference to a control character': valid.replace(/<oggetto>/, '<oggetto>&#1;'),
  'character reference to a surrogate': valid.replace(/<oggetto>/, '<oggetto>&#xD800;'),
  'negative character reference': valid.replace(/<oggetto>/, '<oggetto>&#-5;'),
  'character reference with trailing junk': valid.replace(/<oggetto>/, '<oggetto>&#12abc;'),
  'character reference in an attribute, beyond Unicode': valid.replace('tipo="avvenuta-consegna"', 'tipo="avvenuta-consegna&#x110000;"'),
};

describe('daticert structural check agrees with xmllint --dtdvalid', () => {
  it('reads the DTD shipped by daticert.ts, identical to the rules', () => {
    expect(DATICERT_DTD.replace(/\s+/g, ' ')).toBe(DTD_FROM_RULES.replace(/\s+/g, ' '));
    const model = parseDtd(DATICERT_DTD);
    expect(model.unsupported).toEqual([]);
    expect(model.elements.size).toBe(17);
  });

  for (const [name, xml] of Object.entries(samples)) {
    it(name, () => {
      const judge = xmllint(xml, name);
      const ours = validateAgainstDtd(xml, DATICERT_DTD);
      expect(ours.valid, `xmllint says ${judge ? 'valid' : 'invalid'}; ours: ${ours.errors.join('; ')}`).toBe(judge);
      if (!ours.valid) expect(ours.errors.length).toBeGreaterThan(0);
    });
  }

  it('explains what is wrong', () => {
    expect(validateAgainstDtd(samples['msgid before identificativo'], DATICERT_DTD).errors.join('\n')).toMatch(/dati.*(expected <identificativo>|unexpected <identificativo>)/);
    expect(validateAgainstDtd(samples['tipo not in the enumeration'], DATICERT_DTD).errors.join('\n')).toMatch(/tipo="consegna" is not one of/);
  });
});

describe('daticertInstant', () => {
  it('reads giorno, ora and zona, across DST', () => {
    expect(daticertInstant({ giorno: '29/03/2026', ora: '03:00:00', zona: '+0200' })).toBe('2026-03-29T03:00:00+02:00');
    expect(daticertInstant({ giorno: '2026-03-29', ora: '03:00:00', zona: '+0200' })).toBeNull();
  });
});
