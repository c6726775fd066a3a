/**
 * Escaping for the two places the report puts untrusted text: HTML markup and JSON inside a `<script>`.
 * Strategy names, params and instrument ids come from user files, so a name like
 * `</script><script>alert(1)` must stay inert text when the report is opened.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for an HTML text node or a quoted attribute value.
 *
 * @example
 * escapeHtml('<b>"x" & y</b>'); // '&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/**
 * Serialises a value as JSON that is safe inside `<script type="application/json">`.
 * `<`, `>` and `&` become `\u003c` etc. so neither `</script>` nor `<!--` can end or alter the element;
 * U+2028/U+2029 are escaped because older JS engines treat them as line breaks inside string literals.
 * The browser's `JSON.parse` turns the escapes back into the original characters.
 *
 * @example
 * jsonForScript({ name: '</script>' }); // '{"name":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Makes JavaScript source safe to inline in a `<script>` element. In valid JS, `</script` and `<!--` can only
 * occur inside strings, regexes, templates or comments, where `<\/` and `\x3C` mean the same characters
 * (also in `u`-flag regexes), so the rewrite never changes what the code does.
 *
 * @example
 * inlineScriptSource('const s = "</script>";'); // 'const s = "<\\/script>";'
 */
export function inlineScriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '\\x3C!--');
}
