// masked_match from ../shared/conformance/CHECKER.md: JSON equality where masked strings
// in `expected` act as patterns. Tokens are [pattern, scope] pairs (Python regexes, which
// are JS-compatible for the tokens in the corpus).

function fullMatch(pattern, text) {
  try {
    return new RegExp(`^(?:${pattern})$`, "s").test(text);
  } catch {
    return false;
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function maskedMatch(expected, actual, tokens) {
  if (typeof expected === "string") {
    if (tokens.some(([pattern]) => fullMatch(pattern, expected))) return true;
    const subs = tokens.filter(([pattern, scope]) => scope === "substring" && new RegExp(pattern, "s").test(expected)).map(([p]) => p);
    if (subs.length > 0) {
      if (typeof actual !== "string") return false;
      const big = new RegExp(subs.map((p) => `(?:${p})`).join("|"), "gs");
      const parts = expected.split(big);
      return new RegExp(`^${parts.map(escapeRegExp).join(".+?")}$`, "s").test(actual);
    }
    return typeof actual === "string" && expected === actual;
  }
  if (typeof expected === "boolean" || typeof actual === "boolean") return expected === actual;
  if (typeof expected === "number") return typeof actual === "number" && expected === actual;
  if (expected === null) return actual === null;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => maskedMatch(e, actual[i], tokens));
  }
  if (typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(actual).sort();
    return ek.length === ak.length && ek.every((k, i) => k === ak[i] && maskedMatch(expected[k], actual[k], tokens));
  }
  return expected === actual;
}
