// Polynomials with integer coefficients over named factors: the affine forms of
// subscripts and loop bounds. A monomial is the sorted list of its factor names
// joined by '*' ('' is the constant term). Loop indices are factors named '@<loopId>';
// every other factor is a symbol (a size parameter or a loop-invariant variable).
// Products of symbols (n*m) are ordinary monomials, so symbolic strides stay exact.

export type Poly = Map<string, number>;

export const INDEX_PREFIX = '@';

export function constPoly(c: number): Poly {
  return c === 0 ? new Map() : new Map([['', c]]);
}

export function varPoly(name: string): Poly {
  return new Map([[name, 1]]);
}

export function indexVar(loopId: string): string {
  return INDEX_PREFIX + loopId;
}

export function isIndexFactor(f: string): boolean {
  return f.startsWith(INDEX_PREFIX);
}

export function factorsOf(monomial: string): string[] {
  return monomial === '' ? [] : monomial.split('*');
}

function monomialOf(factors: string[]): string {
  return [...factors].sort().join('*');
}

function addTerm(p: Poly, m: string, c: number): void {
  const v = (p.get(m) ?? 0) + c;
  if (v === 0) p.delete(m);
  else p.set(m, v);
}

export function add(a: Poly, b: Poly): Poly {
  const out = new Map(a);
  for (const [m, c] of b) addTerm(out, m, c);
  return out;
}

export function scale(a: Poly, k: number): Poly {
  const out: Poly = new Map();
  if (k === 0) return out;
  for (const [m, c] of a) out.set(m, c * k);
  return out;
}

export function sub(a: Poly, b: Poly): Poly {
  return add(a, scale(b, -1));
}

export function mul(a: Poly, b: Poly): Poly {
  const out: Poly = new Map();
  for (const [ma, ca] of a) for (const [mb, cb] of b) addTerm(out, monomialOf([...factorsOf(ma), ...factorsOf(mb)]), ca * cb);
  return out;
}

export function isZero(p: Poly): boolean {
  return p.size === 0;
}

export function equals(a: Poly, b: Poly): boolean {
  return isZero(sub(a, b));
}

/** The value of a constant polynomial, or undefined when it has symbols. */
export function constantValue(p: Poly): number | undefined {
  if (p.size === 0) return 0;
  if (p.size === 1 && p.has('')) return p.get('');
  return undefined;
}

/** Replaces factor `name` by the polynomial `value` everywhere. */
export function substitute(p: Poly, name: string, value: Poly): Poly {
  let out: Poly = new Map();
  for (const [m, c] of p) {
    const fs = factorsOf(m);
    const count = fs.filter((f) => f === name).length;
    let term: Poly = new Map([[monomialOf(fs.filter((f) => f !== name)), c]]);
    for (let k = 0; k < count; k++) term = mul(term, value);
    out = add(out, term);
  }
  return out;
}

export function factorNames(p: Poly): Set<string> {
  const out = new Set<string>();
  for (const m of p.keys()) for (const f of factorsOf(m)) out.add(f);
  return out;
}

/**
 * Splits p by the index factors in `vars`: the coefficient (a polynomial over the
 * other factors) of each var, and the rest. Undefined when some monomial holds two
 * of those vars or one twice (not affine in them).
 */
export function splitByVars(p: Poly, vars: (f: string) => boolean): { coeffs: Map<string, Poly>; rest: Poly } | undefined {
  const coeffs = new Map<string, Poly>();
  const rest: Poly = new Map();
  for (const [m, c] of p) {
    const fs = factorsOf(m);
    const hits = fs.filter(vars);
    if (hits.length > 1) return undefined;
    if (hits.length === 0) {
      addTerm(rest, m, c);
      continue;
    }
    const v = hits[0]!;
    const others = fs.filter((f, i) => i !== fs.indexOf(v));
    const coeff = coeffs.get(v) ?? new Map();
    addTerm(coeff, monomialOf(others), c);
    coeffs.set(v, coeff);
  }
  for (const [v, c] of coeffs) if (isZero(c)) coeffs.delete(v);
  return { coeffs, rest };
}

/** Divides every monomial that contains `symbol` by it once: p = symbol*quotient + remainder. */
export function divideBySymbol(p: Poly, symbol: string): { quotient: Poly; remainder: Poly } {
  const quotient: Poly = new Map();
  const remainder: Poly = new Map();
  for (const [m, c] of p) {
    const fs = factorsOf(m);
    const at = fs.indexOf(symbol);
    if (at < 0) addTerm(remainder, m, c);
    else addTerm(quotient, monomialOf(fs.filter((_, i) => i !== at)), c);
  }
  return { quotient, remainder };
}

/** Exact division q = a / b when b is a nonzero multiple of... : a == k*b for an integer k. */
export function integerRatio(a: Poly, b: Poly): number | undefined {
  if (isZero(a)) return 0;
  if (isZero(b)) return undefined;
  const [m, c] = [...b][0]!;
  const ac = a.get(m);
  if (ac === undefined || ac % c !== 0) return undefined;
  const k = ac / c;
  return equals(a, scale(b, k)) ? k : undefined;
}

/** C text of a polynomial, with index factors shown through `nameOf`. */
export function polyText(p: Poly, nameOf: (f: string) => string = (f) => f): string {
  if (p.size === 0) return '0';
  const terms = [...p].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : 1));
  let out = '';
  for (const [m, c] of terms) {
    const fs = factorsOf(m).map(nameOf);
    const mag = Math.abs(c);
    const body = fs.length === 0 ? String(mag) : (mag === 1 ? '' : `${mag}*`) + fs.join('*');
    if (out === '') out = c < 0 ? `-${body}` : body;
    else out += c < 0 ? ` - ${body}` : ` + ${body}`;
  }
  return out;
}
