// One-line descriptions of JSON syntax errors. Node's JSON.parse messages either give a
// character offset ("... in JSON at position 11") or quote a (possibly multi-line) snippet
// of the text without any position; neither is what a person fixing a file wants. This
// finds the line and column of the first error with a small scanner of its own.

/** `not valid JSON at line L column C: <message>` (no newline in it). */
export function describeJsonError(text: string, error: Error): string {
  const offset = firstErrorOffset(text) ?? positionIn(error.message) ?? text.length;
  const { line, column } = lineColumn(text, offset);
  return `not valid JSON at line ${line} column ${column}: ${cleanMessage(error.message)}`;
}

function positionIn(message: string): number | undefined {
  const m = / at position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** Node's message without the quoted snippet, the offset, or any control character. */
export function cleanMessage(message: string): string {
  let m = message;
  // `Unexpected token '}', "...snippet..." is not valid JSON`
  m = m.replace(/, (\.\.\.)?".*is not valid JSON\s*$/s, '');
  m = m.replace(/ in JSON at position \d+.*$/s, '').replace(/ at position \d+.*$/s, '');
  // A token that is itself a newline or tab is shown escaped.
  m = m.replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return m.trim() || 'syntax error';
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Offset of the first character at which `text` stops being valid JSON; undefined if it is valid. */
export function firstErrorOffset(text: string): number | undefined {
  let i = 0;
  class Bad {
    constructor(readonly at: number) {}
  }
  const fail = (at = i): never => {
    throw new Bad(Math.min(at, text.length));
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (c: string) => {
    if (text[i] !== c) fail();
    i++;
  };
  const string = () => {
    expect('"');
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i + 1);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(i + 1);
      } else i++;
    }
    fail();
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' || m[0] === '') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        expect(':');
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}');
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']');
        return;
      }
    }
    if (c === '"') return string();
    const lit = c === 't' ? 'true' : c === 'f' ? 'false' : c === 'n' ? 'null' : undefined;
    if (lit) {
      let k = 0;
      while (k < lit.length && text[i + k] === lit[k]) k++;
      if (k < lit.length) fail(i + k); // at the first wrong character, as JSON.parse says
      i += k;
      return;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (e instanceof Bad) return e.at;
    throw e;
  }
}
