/**
 * An element id made of `parts` joined with `-`, safe to list in
 * `aria-labelledby` (which splits on whitespace): every character but ASCII
 * letters, digits and `-` becomes `_<hex code point>_`, so different joined
 * strings never give the same id. (`useId` needs React 18; this package
 * supports 17.)
 */
export function domIdOf(...parts: string[]): string {
  return parts
    .join('-')
    .replace(
      /[^A-Za-z0-9-]/gu,
      char => `_${char.codePointAt(0)!.toString(16)}_`,
    );
}
