/**
 * Keys written twice in one JSON object. JSON.parse keeps the last without a word, so a merge
 * or a copy-paste that left two "recipients" lists silently dropped the first routing table
 * (and a recipient's `requiresCodeService: true` then `false` dropped its control).
 */

/** The dotted paths (`recipients`, `recipients.0.requiresCodeService`) of keys written twice in `text`, valid JSON. */
export function duplicateKeys(text: string): string[] {
  type Frame = { keys?: Set<string>; key?: string; index?: number; path: string };
  const stack: Frame[] = [];
  const found: string[] = [];
  // the path of the value about to be read in the innermost container
  const here = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    const name = top.keys ? (top.key ?? '') : String(top.index ?? 0);
    return top.path ? `${top.path}.${name}` : name;
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey) {
        const top = stack[stack.length - 1];
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys!.has(key)) found.push(top.path ? `${top.path}.${key}` : key);
        top.keys!.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push({ keys: new Set(), path: here() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ index: 0, path: here() });
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false; // a value ended ({} leaves the flag its "{" set)
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index = (top.index ?? 0) + 1;
    }
  }
  return found;
}
