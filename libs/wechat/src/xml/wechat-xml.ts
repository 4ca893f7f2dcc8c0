import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WeChatXmlError } from '../errors/xml-error';

export interface ParseWeChatXmlOptions {
  /** Bodies larger than this (UTF-8 bytes) are refused before parsing. Default 64 KiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

const CDATA = '#cdata';
const TEXT = '#text';

// Entities stay unexpanded inside the parser (no billion laughs, no external
// entities); the five predefined ones and character references are decoded by
// us afterwards, which cannot amplify. preserveOrder lets us tell CDATA (taken
// verbatim) from text (entity-decoded) and see duplicates and nesting.
const parser = new XMLParser({
  preserveOrder: true,
  cdataPropName: CDATA,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false, // "1409735668" and 64-bit MsgIds stay strings
  parseAttributeValue: false,
  ignoreAttributes: true,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown>;

const CDATA_SECTION = /<!\[CDATA\[[\s\S]*?\]\]>/g;
// After CDATA sections are removed, the only legitimate `<!` is a comment.
const MARKUP_DECLARATION = /<!(?!--)/;
const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// XML 1.0 forbids most C0 controls even inside CDATA.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ILLEGAL_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a flat WeChat XML body (`<xml><Field>value</Field>...</xml>`) into its
 * root's child fields. Nested elements are skipped (WeChat's component and
 * Official Account events that we consume are flat); a field appearing twice
 * is refused, because which copy wins would differ between parsers.
 */
export function parseWeChatXml(xml: string, opts: ParseWeChatXmlOptions = {}): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, children] of rootElements(xml, opts)) {
    const value = flatValue(children);
    if (value === undefined) continue; // nested element
    if (Object.prototype.hasOwnProperty.call(fields, name)) {
      throw new WeChatXmlError(`Duplicate element <${name}> in WeChat XML`);
    }
    fields[name] = value;
  }
  return fields;
}

/** A field of a WeChat message: text, or the children of a nested element (repeated ones as a list). */
export type WeChatXmlValue = string | WeChatXmlObject | WeChatXmlValue[];
export interface WeChatXmlObject {
  [name: string]: WeChatXmlValue;
}

/**
 * Like parseWeChatXml, with the same guards, but keeps nested elements (a menu event's
 * `ScanCodeInfo`, `SendPicsInfo.PicList.item`…) as objects; a child element repeated inside a
 * nested element becomes a list. Duplicate top-level fields are still refused.
 */
export function parseWeChatXmlTree(xml: string, opts: ParseWeChatXmlOptions = {}): WeChatXmlObject {
  const fields: WeChatXmlObject = {};
  for (const [name, children] of rootElements(xml, opts)) {
    if (Object.prototype.hasOwnProperty.call(fields, name)) {
      throw new WeChatXmlError(`Duplicate element <${name}> in WeChat XML`);
    }
    fields[name] = treeValue(children);
  }
  return fields;
}

/** The root's child elements as (name, children) after every safety check. */
function rootElements(xml: string, opts: ParseWeChatXmlOptions): [string, OrderedNode[]][] {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (typeof xml !== 'string') throw new WeChatXmlError('WeChat XML body must be a string');
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new WeChatXmlError(`WeChat XML body exceeds ${maxBytes} bytes`);
  }
  // DTDs are where entity bombs and XXE live; WeChat never sends one.
  if (MARKUP_DECLARATION.test(xml.replace(CDATA_SECTION, ''))) {
    throw new WeChatXmlError('WeChat XML must not contain DOCTYPE, ENTITY or other declarations');
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw new WeChatXmlError(`Malformed WeChat XML: ${validation.err.msg} (line ${validation.err.line})`);
  }

  let document: OrderedNode[];
  try {
    document = parser.parse(xml) as OrderedNode[];
  } catch (err) {
    throw new WeChatXmlError(`Malformed WeChat XML: ${(err as Error).message}`);
  }

  const roots = document.filter((node) => !(TEXT in node));
  if (roots.length !== 1 || !Array.isArray(roots[0].xml)) {
    throw new WeChatXmlError('WeChat XML must have a single <xml> root element');
  }
  return childElements(roots[0].xml as OrderedNode[]);
}

function childElements(nodes: OrderedNode[]): [string, OrderedNode[]][] {
  const out: [string, OrderedNode[]][] = [];
  for (const child of nodes) {
    const name = elementName(child);
    if (name === undefined || name === CDATA) continue; // text between elements
    if (FORBIDDEN_KEYS.has(name)) throw new WeChatXmlError(`Forbidden element name <${name}>`);
    out.push([name, child[name] as OrderedNode[]]);
  }
  return out;
}

function treeValue(children: OrderedNode[]): WeChatXmlValue {
  const flat = flatValue(children);
  if (flat !== undefined) return flat;
  const object: WeChatXmlObject = {};
  for (const [name, grandchildren] of childElements(children)) {
    const value = treeValue(grandchildren);
    if (!Object.prototype.hasOwnProperty.call(object, name)) object[name] = value;
    else if (Array.isArray(object[name])) (object[name] as WeChatXmlValue[]).push(value);
    else object[name] = [object[name], value];
  }
  return object;
}

/**
 * Builds `<xml><K><![CDATA[v]]></K><N>1</N></xml>`: strings as CDATA (what
 * WeChat sends), numbers bare. Field order follows the object's key order.
 */
export function buildWeChatXml(fields: Record<string, string | number>): string {
  let out = '<xml>';
  for (const [name, value] of Object.entries(fields)) {
    if (!XML_NAME.test(name) || FORBIDDEN_KEYS.has(name)) {
      throw new WeChatXmlError(`Invalid XML element name: ${JSON.stringify(name)}`);
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new WeChatXmlError(`Field ${name} is not a finite number`);
      out += `<${name}>${String(value)}</${name}>`;
    } else if (typeof value === 'string') {
      if (ILLEGAL_XML_CHARS.test(value)) {
        throw new WeChatXmlError(`Field ${name} contains characters XML cannot carry`);
      }
      // "]]>" cannot appear inside CDATA: close and reopen around it.
      out += `<${name}><![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]></${name}>`;
    } else {
      throw new WeChatXmlError(`Field ${name} must be a string or a number`);
    }
  }
  return `${out}</xml>`;
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== TEXT && key !== ':@');
}

/** Text and CDATA of a leaf element, or undefined when it has element children. */
function flatValue(children: OrderedNode[]): string | undefined {
  const parts: { cdata: boolean; value: string }[] = [];
  for (const child of children) {
    if (TEXT in child) {
      parts.push({ cdata: false, value: decodeEntities(String(child[TEXT])) });
    } else if (CDATA in child) {
      const sections = child[CDATA] as OrderedNode[];
      parts.push({
        cdata: true,
        value: sections.map((s) => String(s[TEXT] ?? '')).join(''),
      });
    } else {
      return undefined;
    }
  }
  // Plain text is trimmed as most XML consumers do; CDATA is taken verbatim,
  // only the indentation around it is dropped.
  if (!parts.some((part) => part.cdata))
    return parts
      .map((part) => part.value)
      .join('')
      .trim();
  return parts
    .filter((part) => part.cdata || part.value.trim() !== '')
    .map((part) => part.value)
    .join('');
}

const PREDEFINED_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/** Only XML's fixed entities and character references: each expands to one character. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED_ENTITIES[ref];
    const codePoint = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
  });
}
