import assert from "node:assert/strict";
import { canonicalHash, canonicalJson, normaliseWhitespace } from "../../lib/offload/canonical.ts";

Deno.test("canonicalJson sorts keys at every depth and drops undefined", () => {
  assert.equal(
    canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined }),
    '{"a":[2,{"c":4,"d":3}],"b":1}',
  );
  assert.equal(canonicalHash({ x: 1, y: 2 }), canonicalHash({ y: 2, x: 1 }));
  assert.notEqual(canonicalHash({ x: 1 }), canonicalHash({ x: "1" }));
  assert.match(canonicalHash({}), /^[0-9a-f]{64}$/);
});

Deno.test("normaliseWhitespace trims and collapses every whitespace run", () => {
  assert.equal(normaliseWhitespace("  a\n\n b\t\tc  "), "a b c");
  assert.equal(normaliseWhitespace("\u00a0x\u2003y"), "x y");
});
