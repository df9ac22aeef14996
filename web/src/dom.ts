/**
 * The only way the UI puts anything on the page. Every string becomes a
 * text node: function names come from the profiled program and are hostile
 * input, so nothing here ever parses HTML (no innerHTML, no insertAdjacentHTML).
 */
export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  id?: string;
  href?: string;
  title?: string;
  /** data-* attributes */
  data?: Record<string, string>;
  [attr: string]: string | Record<string, string> | undefined;
}

/** Only our own paths and http(s) links become hrefs: never `javascript:` or `data:`. */
export function safeHref(href: string): string | undefined {
  if (href.startsWith('/') && !href.startsWith('//')) return href;
  try {
    const u = new URL(href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    if (name === 'data' && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = v;
    } else if (name === 'href') {
      const href = safeHref(value as string);
      if (href) el.setAttribute('href', href);
    } else if (/^[a-z][a-z-]*$/.test(name) && !name.startsWith('on') && name !== 'style' && name !== 'src') {
      el.setAttribute(name, value as string);
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}
