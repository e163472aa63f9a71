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
  /**
   * Per attribute name (and `name i` for the lower-cased values), each element's value, null when absent: read
   * once, on the first selector that tests it.
   */
  values: Map<string, Array<string | null>>;
}

export function scopeOf(root: Element): ElementScope {
  const elements = elementsUnder(root);
  return { root, elements, names: elements.map((element) => element.localName), values: new Map() };
}

type Part =
  | { kind: 'tag'; name: string }
  | { kind: 'inside'; name: string }
  | { kind: 'attribute'; name: string; operator: '' | '=' | '*=' | '^='; value: string; ignoreCase: boolean };

/** A selector list's parts; `ignoreCase` when any part carries the ` i` flag (see `selectIn`). */
const compiled = new Map<string, { parts: Part[]; ignoreCase: boolean } | null>();

/**
 * What `root.querySelectorAll(selector)` would answer, from the scope as it was walked, for a comma-separated
 * list of `tag`, `[name]`, `[name="value"]`, `[name*="value"]`, `[name^="value"]` (each with an optional ` i`
 * flag) and `tag *` (any element inside a `tag`); null for any other form, for which the caller asks jsdom.
 *
 * As jsdom 29 answers, quirks included, since the rules were tuned on its answers: a list without a flag is
 * compared exactly and answered in document order; a list where any part has the ` i` flag goes in jsdom to
 * @asamuzakjp/dom-selector, which ignores case in every attribute value of an HTML document and answers part
 * by part (each part's elements in document order, an element once, where its first part found it), and so
 * does this. One difference: that engine also takes a namespaced-looking attribute (`x-bind:class`,
 * `:class`) for the plain one; here only the attribute of that exact name counts, as CSS says.
 */
export function selectIn(scope: ElementScope, selector: string): Element[] | null {
  let list = compiled.get(selector);
  if (list === undefined) {
    const parsed = selector.split(',').map((part) => parsePart(part.trim()));
    list = parsed.every((part) => part !== null)
      ? { parts: parsed as Part[], ignoreCase: parsed.some((part) => part?.kind === 'attribute' && part.ignoreCase) }
      : null;
    compiled.set(selector, list);
  }
  if (!list) return null;
  const { parts, ignoreCase } = list;
  const tests = parts.map((part) => testOf(scope, part, ignoreCase));
  if (!ignoreCase) return scope.elements.filter((_, index) => tests.some((test) => test(index)));
  const found = new Set<Element>();
  for (const test of tests)
    scope.elements.forEach((element, index) => {
      if (test(index)) found.add(element);
    });
  return [...found];
}

/** Whether the scope's element at an index matches one part of a selector list. */
function testOf(scope: ElementScope, part: Part, ignoreCase: boolean): (index: number) => boolean {
  if (part.kind === 'tag') return (index) => scope.names[index] === part.name;
  if (part.kind === 'inside') {
    const inside = new Set<Element>();
    markInside(scope, part.name, inside);
    return (index) => inside.has(scope.elements[index] as Element);
  }
  const values = valuesOf(scope, part.name, ignoreCase);
  return (index) => hasAttribute(values[index] ?? null, part, ignoreCase);
}

/** Every element's value of the attribute `name` (lower-cased for `ignoreCase`), read once for the scope. */
function valuesOf(scope: ElementScope, name: string, ignoreCase: boolean): Array<string | null> {
  const key = ignoreCase ? `${name} i` : name;
  let values = scope.values.get(key);
  if (!values) {
    const exact = ignoreCase ? valuesOf(scope, name, false) : undefined;
    values = exact
      ? exact.map((value) => value?.toLowerCase() ?? null)
      : scope.elements.map((element) => element.getAttribute(name));
    scope.values.set(key, values);
  }
  return values;
}

/** What `root.querySelectorAll(selector)` answers, through the scope's walk when `selectIn` knows the selector's form. */
export function selectAll(scope: ElementScope, selector: string): Iterable<Element> {
  return selectIn(scope, selector) ?? scope.root.querySelectorAll(selector);
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

function hasAttribute(value: string | null, part: Extract<Part, { kind: 'attribute' }>, ignoreCase: boolean): boolean {
  if (value === null) return false;
  if (part.operator === '') return true;
  const wanted = ignoreCase ? part.value.toLowerCase() : part.value;
  if (part.operator === '=') return value === wanted;
  if (wanted === '') return false;
  return part.operator === '*=' ? value.includes(wanted) : value.startsWith(wanted);
}

function parsePart(part: string): Part | null {
  if (/^[a-z][a-z0-9]*$/.test(part)) return { kind: 'tag', name: part };
  const inside = /^([a-z][a-z0-9]*)\s+\*$/.exec(part);
  if (inside) return { kind: 'inside', name: inside[1] as string };
  const attribute = /^\[([a-z][a-z-]*)(?:([*^]?=)"([^"\\]*)"(\s+i)?)?\]$/.exec(part);
  if (!attribute) return null;
  return {
    kind: 'attribute',
    name: attribute[1] as string,
    operator: (attribute[2] ?? '') as '' | '=' | '*=' | '^=',
    value: attribute[3] ?? '',
    ignoreCase: attribute[4] !== undefined,
  };
}
