import { expect } from 'vitest';

/** Asserts `svg` is well-formed XML (balanced tags, quoted attributes, no raw `<` or `&` in text) with an <svg> root. */
export function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg ')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    expect(text, `stray markup before offset ${m.index}`).not.toMatch(/[<>]|&(?!(lt|gt|amp|quot|#39);)/);
    last = m.index + m[0].length;
    const [, close, name, , selfClose] = m;
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (!selfClose) stack.push(name as string);
  }
  expect(svg.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}
