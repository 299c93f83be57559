/** An XML element: a name, attributes in the order written, and children. */
export interface XmlElement {
  readonly name: string
  readonly attributes?: Readonly<Record<string, string | number | boolean | undefined>>
  readonly children?: readonly (XmlElement | string)[]
}

// Characters XML 1.0 does not allow anywhere in a document, even escaped.
const invalidCharacters = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu

/** Escapes text or an attribute value, and drops the characters XML cannot carry. */
export function escapeXml(value: string): string {
  return value
    .replace(invalidCharacters, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** Writes an element and its children; undefined attributes are left out. */
export function writeElement(element: XmlElement): string {
  let attributes = ''
  for (const [name, value] of Object.entries(element.attributes ?? {})) {
    if (value === undefined) continue
    attributes += ` ${name}="${escapeXml(String(value))}"`
  }

  const children = element.children ?? []
  if (children.length === 0) return `<${element.name}${attributes}/>`
  const content = children
    .map((child) => (typeof child === 'string' ? escapeXml(child) : writeElement(child)))
    .join('')
  return `<${element.name}${attributes}>${content}</${element.name}>`
}

/** Writes a whole document with the UTF-8 declaration. */
export function writeXmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${writeElement(root)}`
}
