/**
 * The DOM walks the block rules make thousands of times per page, done with sibling pointers in plain code.
 * jsdom answers `querySelectorAll`, `querySelector`, `children` and `getElementsByTagName` by building live
 * collections over the whole subtree on every call; those calls were about half of the rules' cost (CPU
 * profile of the Readability corpus: 52 of 77 s inside `applyRules`). The results are the same elements in
 * the same (document) order.
 */

/** The elements under `root` (not `root` itself), in document order. Iterative: pages nest thousands deep. */
export function elementsUnder(root: Element): Element[] {
  const elements: Element[] = [];
  for (let element = root.firstElementChild; element; element = nextElement(element, root)) elements.push(element);
  return elements;
}

/** The element after `element` in document order, staying under `root`; null at the end. */
function nextElement(element: Element, root: Element): Element | null {
  if (element.firstElementChild) return element.firstElementChild;
  for (let current: Element | null = element; current && current !== root; current = current.parentElement) {
    if (current.nextElementSibling) return current.nextElementSibling;
  }
  return null;
}

/** The descendants of `element` whose tag (lower-case local name) is in `tags`, in document order. */
export function descendantsNamed(element: Element, tags: ReadonlySet<string>): Element[] {
  const found: Element[] = [];
  for (let node = element.firstElementChild; node; node = nextElement(node, element))
    if (tags.has(node.localName)) found.push(node);
  return found;
}

/** Whether `element` has a descendant whose tag (lower-case local name) is in `tags`. */
export function hasDescendantNamed(element: Element, tags: ReadonlySet<string>): boolean {
  for (let node = element.firstElementChild; node; node = nextElement(node, element))
    if (tags.has(node.localName)) return true;
  return false;
}

/** The elements under a root, walked once, with their tag names, for the selections of many rules. */
export interface ElementScope {
  root: Element;
  /** In document order. */
  elements: Element[];
  /** `elements[i].localName`, read once (each read crosses jsdom's wrapper). */
  names: string[];
}

export function scopeOf(root: Element): ElementScope {
  const elements = elementsUnder(root);
  return { root, elements, names: elements.map((element) => element.localName) };
}

type Part =
  | { kind: 'tag'; name: string }
  | { kind: 'inside'; name: string }
  | { kind: 'attribute'; name: string; operator: '' | '=' | '*='; value: string };

const compiled = new Map<string, Part[] | null>();

/**
 * What `root.querySelectorAll(selector)` would answer, from the scope as it was walked, in document order, for
 * a comma-separated list of `tag`, `[name]`, `[name="value"]`, `[name*="value"]` and `tag *` (any element
 * inside a `tag`); null for any other form, for which the caller asks jsdom.
 */
export function selectIn(scope: ElementScope, selector: string): Element[] | null {
  let parts = compiled.get(selector);
  if (parts === undefined) {
    const parsed = selector.split(',').map((part) => parsePart(part.trim()));
    parts = parsed.every((part) => part !== null) ? (parsed as Part[]) : null;
    compiled.set(selector, parts);
  }
  if (!parts) return null;
  const tags = new Set<string>();
  const attributes: Array<Extract<Part, { kind: 'attribute' }>> = [];
  const inside = new Set<Element>();
  for (const part of parts) {
    if (part.kind === 'tag') tags.add(part.name);
    else if (part.kind === 'attribute') attributes.push(part);
    else markInside(scope, part.name, inside);
  }
  return scope.elements.filter(
    (element, index) =>
      tags.has(scope.names[index] as string) ||
      inside.has(element) ||
      attributes.some((part) => hasAttribute(element, part)),
  );
}

/** Adds to `inside` every element of the scope that has an ancestor named `name` (above the root too, as selectors see it). */
function markInside(scope: ElementScope, name: string, inside: Set<Element>): void {
  for (let ancestor: Element | null = scope.root; ancestor; ancestor = ancestor.parentElement) {
    if (ancestor.localName !== name) continue;
    for (const element of scope.elements) inside.add(element);
    return;
  }
  scope.elements.forEach((element, index) => {
    if (scope.names[index] === name && !inside.has(element))
      for (const within of elementsUnder(element)) inside.add(within);
  });
}

function hasAttribute(element: Element, part: Extract<Part, { kind: 'attribute' }>): boolean {
  if (part.operator === '') return element.hasAttribute(part.name);
  const value = element.getAttribute(part.name);
  if (value === null) return false;
  return part.operator === '=' ? value === part.value : part.value !== '' && value.includes(part.value);
}

function parsePart(part: string): Part | null {
  if (/^[a-z][a-z0-9]*$/.test(part)) return { kind: 'tag', name: part };
  const inside = /^([a-z][a-z0-9]*)\s+\*$/.exec(part);
  if (inside) return { kind: 'inside', name: inside[1] as string };
  const attribute = /^\[([a-z][a-z-]*)(?:(\*?=)"([^"\\]*)")?\]$/.exec(part);
  if (!attribute) return null;
  return {
    kind: 'attribute',
    name: attribute[1] as string,
    operator: (attribute[2] ?? '') as '' | '=' | '*=',
    value: attribute[3] ?? '',
  };
}
