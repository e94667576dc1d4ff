// Structural validation of daticert.xml against its DTD (pec-rules §5): element order and
// cardinality, text-only versus element-only content, declared attributes and enumerations,
// required attributes. The DTD text is read into a content model, so the DTD the builders ship
// stays the one source of truth. Only the grammar that DTD uses is supported: sequences of names
// with ?, + and *, (#PCDATA), EMPTY, enumerated and CDATA attributes.

import { parseXml, type XmlElement } from './parse-xml.js';

interface Particle {
  name: string;
  min: number;
  max: number;
}

type ContentModel = { kind: 'sequence'; particles: Particle[] } | { kind: 'text' } | { kind: 'empty' } | { kind: 'any' };

interface AttributeDecl {
  /** null for CDATA */
  values: string[] | null;
  required: boolean;
  defaultValue: string | null;
}

export interface DtdModel {
  elements: Map<string, ContentModel>;
  attributes: Map<string, Map<string, AttributeDecl>>;
  /** declarations this reader could not understand */
  unsupported: string[];
}

export function parseDtd(text: string): DtdModel {
  const model: DtdModel = { elements: new Map(), attributes: new Map(), unsupported: [] };
  const body = text.replace(/<!--[\s\S]*?-->/g, '');
  for (const decl of body.matchAll(/<!(ELEMENT|ATTLIST)\s+([^\s>]+)([^>]*)>/g)) {
    const [, what, name, rest] = decl;
    if (what === 'ELEMENT') {
      const spec = rest.replace(/\s+/g, '');
      if (spec === 'EMPTY') model.elements.set(name, { kind: 'empty' });
      else if (spec === 'ANY') model.elements.set(name, { kind: 'any' });
      else if (spec === '(#PCDATA)' || spec === '(#PCDATA)*') model.elements.set(name, { kind: 'text' });
      else {
        const m = /^\(([^()|]+)\)$/.exec(spec);
        if (!m) {
          model.unsupported.push(`<!ELEMENT ${name} ${rest.trim()}>`);
          model.elements.set(name, { kind: 'any' });
          continue;
        }
        const particles = m[1].split(',').map((item) => {
          const q = item.slice(-1);
          const bare = '?+*'.includes(q) ? item.slice(0, -1) : item;
          return { name: bare, min: q === '?' || q === '*' ? 0 : 1, max: q === '+' || q === '*' ? Infinity : 1 };
        });
        model.elements.set(name, { kind: 'sequence', particles });
      }
    } else {
      const attrs = model.attributes.get(name) ?? new Map<string, AttributeDecl>();
      model.attributes.set(name, attrs);
      const re = /([-\w.:]+)\s+(\([^)]*\)|CDATA|NMTOKEN|ID)\s+(#REQUIRED|#IMPLIED|(?:#FIXED\s+)?"[^"]*")/g;
      for (const attr of rest.matchAll(re)) {
        const [, attrName, type, deflt] = attr;
        attrs.set(attrName, {
          values: type.startsWith('(') ? type.slice(1, -1).split('|').map((v) => v.trim()) : null,
          required: deflt === '#REQUIRED',
          defaultValue: deflt.startsWith('"') || deflt.startsWith('#FIXED') ? /"([^"]*)"/.exec(deflt)?.[1] ?? null : null,
        });
      }
    }
  }
  return model;
}

function checkElement(el: XmlElement, model: DtdModel, path: string, errors: string[]): void {
  const here = `${path}/${el.name}`;
  const content = model.elements.get(el.name);
  if (!content) {
    errors.push(`${here}: element not declared in the DTD`);
    return;
  }
  const declared = model.attributes.get(el.name) ?? new Map<string, AttributeDecl>();
  for (const [name, value] of Object.entries(el.attributes)) {
    const decl = declared.get(name);
    if (!decl) errors.push(`${here}: attribute ${name} not declared`);
    else if (decl.values && !decl.values.includes(value)) errors.push(`${here}: ${name}="${value}" is not one of ${decl.values.join(' | ')}`);
  }
  for (const [name, decl] of declared) {
    if (decl.required && !(name in el.attributes)) errors.push(`${here}: required attribute ${name} missing`);
  }
  switch (content.kind) {
    case 'any':
      break;
    case 'empty':
      if (el.children.length > 0 || el.text !== '') errors.push(`${here}: declared EMPTY but has content`);
      break;
    case 'text':
      if (el.children.length > 0) errors.push(`${here}: text-only element contains <${el.children[0].name}>`);
      break;
    case 'sequence': {
      if (el.hasText) errors.push(`${here}: element-only content has text ${JSON.stringify(el.text.trim().slice(0, 40))}`);
      let index = 0;
      for (const particle of content.particles) {
        let count = 0;
        while (index < el.children.length && el.children[index].name === particle.name && count < particle.max) {
          index++;
          count++;
        }
        if (count < particle.min) {
          const found = el.children[index] ? `<${el.children[index].name}>` : 'the end of the element';
          errors.push(`${here}: expected <${particle.name}>${particle.min > 0 && particle.max > 1 ? ' (one or more)' : ''}, found ${found}`);
        }
      }
      if (index < el.children.length) {
        const expected = content.particles.map((p) => `${p.name}${p.min === 0 ? (p.max > 1 ? '*' : '?') : p.max > 1 ? '+' : ''}`).join(', ');
        errors.push(`${here}: unexpected <${el.children[index].name}> (content model: ${expected})`);
      }
      break;
    }
  }
  for (const child of el.children) checkElement(child, model, here, errors);
}

export interface DtdVerdict {
  valid: boolean;
  errors: string[];
}

/** Validates an XML document's structure against a DTD given as text, with `rootName` as the required root. */
export function validateAgainstDtd(xml: string | Buffer, dtdText: string, rootName = 'postacert'): DtdVerdict {
  const text = typeof xml === 'string' ? xml : xmlText(xml);
  const doc = parseXml(text);
  const errors = doc.errors.map((e) => `not well-formed: ${e}`);
  const model = parseDtd(dtdText);
  errors.push(...model.unsupported.map((d) => `DTD declaration not understood, not checked: ${d}`));
  if (doc.root) {
    if (doc.root.name !== rootName) errors.push(`root element is <${doc.root.name}>, expected <${rootName}>`);
    checkElement(doc.root, model, '', errors);
  }
  return { valid: errors.length === 0, errors };
}

/** XML bytes to text by the encoding declaration (UTF-8 when absent, as XML says). */
export function xmlText(bytes: Buffer): string {
  const head = bytes.subarray(0, 200).toString('latin1');
  const encoding = /^(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(encoding.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** daticert `data` (`DD/MM/YYYY`, `HH:MM:SS`, `+0100`) as an ISO 8601 instant, null when malformed. */
export function daticertInstant(data: { giorno: string; ora: string; zona: string } | null | undefined): string | null {
  const d = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(data?.giorno ?? '');
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(data?.ora ?? '');
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(data?.zona ?? '');
  if (!d || !t || !z) return null;
  const iso = `${d[3]}-${d[2]}-${d[1]}T${t[1]}:${t[2]}:${t[3]}${z[1]}${z[2]}:${z[3]}`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}
