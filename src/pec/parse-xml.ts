// A small XML reader for daticert.xml: elements, attributes, text, CDATA, character references,
// in document order. It keeps the element tree (the DTD check needs order and cardinality) and
// reports well-formedness errors instead of throwing. Not a general XML processor: no external
// entities, no namespaces (daticert has none), DOCTYPE skipped.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** concatenated character data directly inside this element */
  text: string;
  /** whether non-whitespace text sits directly inside (mixed content) */
  hasText: boolean;
}

export interface XmlDocument {
  root: XmlElement | null;
  /** DOCTYPE name when the document declares one */
  doctype: string | null;
  errors: string[];
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 `Char`: a character reference to anything else is a well-formedness error (WFC: Legal Character) */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function decodeEntities(text: string, errors: string[]): string {
  return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) {
      errors.push(`unterminated entity reference "${whole}"`);
      return whole;
    }
    if (ref.startsWith('#')) {
      const digits = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
      const code = digits ? parseInt(digits[1] ?? digits[2], digits[1] ? 16 : 10) : NaN;
      if (isXmlChar(code)) return String.fromCodePoint(code);
      errors.push(`character reference "${whole}" is not a legal XML character`);
      return whole;
    }
    if (ref in PREDEFINED) return PREDEFINED[ref];
    errors.push(`unknown entity "&${ref};"`);
    return whole;
  });
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;

export function parseXml(input: string): XmlDocument {
  const errors: string[] = [];
  let doctype: string | null = null;
  let root: XmlElement | null = null;
  const stack: XmlElement[] = [];
  let i = input.charCodeAt(0) === 0xfeff ? 1 : 0;

  const appendText = (text: string) => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (text.trim() !== '') errors.push('text outside the root element');
      return;
    }
    top.text += text;
    if (text.trim() !== '') top.hasText = true;
  };

  while (i < input.length) {
    const lt = input.indexOf('<', i);
    if (lt < 0) {
      appendText(decodeEntities(input.slice(i), errors));
      break;
    }
    if (lt > i) appendText(decodeEntities(input.slice(i, lt), errors));
    if (input.startsWith('<?', lt)) {
      const end = input.indexOf('?>', lt);
      if (end < 0) {
        errors.push('unterminated processing instruction');
        break;
      }
      i = end + 2;
    } else if (input.startsWith('<!--', lt)) {
      const end = input.indexOf('-->', lt);
      if (end < 0) {
        errors.push('unterminated comment');
        break;
      }
      i = end + 3;
    } else if (input.startsWith('<![CDATA[', lt)) {
      const end = input.indexOf(']]>', lt);
      if (end < 0) {
        errors.push('unterminated CDATA section');
        break;
      }
      appendText(input.slice(lt + 9, end));
      i = end + 3;
    } else if (input.startsWith('<!DOCTYPE', lt)) {
      // skip to the matching '>' (an internal subset sits in [...])
      let j = lt + 9;
      let bracket = 0;
      for (; j < input.length; j++) {
        const c = input[j];
        if (c === '[') bracket++;
        else if (c === ']') bracket--;
        else if (c === '>' && bracket <= 0) break;
      }
      doctype = /^\s*([^\s[>]+)/.exec(input.slice(lt + 9, j))?.[1] ?? '';
      i = j + 1;
    } else if (input.startsWith('</', lt)) {
      const end = input.indexOf('>', lt);
      if (end < 0) {
        errors.push('unterminated end tag');
        break;
      }
      const name = input.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (!top) errors.push(`end tag </${name}> without a start tag`);
      else if (top.name !== name) errors.push(`end tag </${name}> does not match <${top.name}>`);
      i = end + 1;
    } else {
      // start tag: name, attributes, optional '/'
      let j = lt + 1;
      const nameMatch = NAME.exec(input.slice(j));
      if (!nameMatch) {
        errors.push(`invalid markup at offset ${lt}`);
        appendText('<');
        i = lt + 1;
        continue;
      }
      const element: XmlElement = { name: nameMatch[0], attributes: {}, children: [], text: '', hasText: false };
      j += nameMatch[0].length;
      let selfClosing = false;
      let ended = false;
      while (j < input.length) {
        while (/\s/.test(input[j] ?? '')) j++;
        if (input[j] === '>') {
          j++;
          ended = true;
          break;
        }
        if (input.startsWith('/>', j)) {
          j += 2;
          selfClosing = true;
          ended = true;
          break;
        }
        const attr = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(input.slice(j));
        if (!attr) {
          errors.push(`malformed attribute in <${element.name}>`);
          const close = input.indexOf('>', j);
          j = close < 0 ? input.length : close + 1;
          ended = close >= 0;
          break;
        }
        if (attr[1] in element.attributes) errors.push(`duplicate attribute ${attr[1]} in <${element.name}>`);
        element.attributes[attr[1]] = decodeEntities(attr[3] ?? attr[4] ?? '', errors);
        j += attr[0].length;
      }
      if (!ended) {
        errors.push(`unterminated start tag <${element.name}>`);
        break;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) errors.push(`second root element <${element.name}>`);
      else root = element;
      if (!selfClosing) stack.push(element);
      i = j;
    }
  }
  for (const open of stack.reverse()) errors.push(`element <${open.name}> is not closed`);
  if (!root) errors.push('no root element');
  return { root, doctype, errors };
}
