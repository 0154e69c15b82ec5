/**
 * Keyed list reconciliation: existing elements are kept (so focus, scroll position and the
 * screen reader's live region are not disturbed), new ones created, stale ones removed, and the
 * order fixed with the fewest moves for the common cases (append, prepend, one removed).
 */
export interface KeyedRenderer<T> {
  key(item: T): string;
  create(item: T): HTMLElement;
  /** Brings an element up to date; `signature` lets it skip work when nothing changed. */
  update(element: HTMLElement, item: T): void;
}

export function reconcile<T>(parent: HTMLElement, items: readonly T[], renderer: KeyedRenderer<T>): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(parent.children)) {
    if (child instanceof HTMLElement && child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  }
  let cursor = parent.firstElementChild;
  for (const item of items) {
    const key = renderer.key(item);
    let element = existing.get(key);
    if (element) existing.delete(key);
    else {
      element = renderer.create(item);
      element.dataset.key = key;
    }
    renderer.update(element, item);
    if (element === cursor) cursor = cursor.nextElementSibling;
    else parent.insertBefore(element, cursor);
  }
  for (const stale of existing.values()) stale.remove();
}

/** Re-runs `build` only when the signature differs from the one the element was built with. */
export function rebuildIfChanged(element: HTMLElement, signature: string, build: () => void): void {
  if (element.dataset.signature === signature) return;
  element.dataset.signature = signature;
  element.replaceChildren();
  build();
}
