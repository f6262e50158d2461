import { describe, expect, it } from "vitest";
import { lintCode, LintParseError } from "../../src/ops/lint/lint.ts";

/** Wraps a body in the guide's function wrapper. */
const task = (body: string) => `(function(input, context) {\n${body}\n})`;
const rulesOf = (code: string) => lintCode(code).findings.map((f) => f.rule);

/** Each rule: code the guide calls correct gives no finding of it, code it calls wrong gives one. */
const cases: { rule: string; good: string[]; bad: string[] }[] = [
  {
    rule: "function-wrapper",
    good: [task("return { result: 1 };"), "function main(input, context) { return input; }", "(async function(input) { return input; })", "(input, context) => ({ ok: true })"],
    bad: ["const myTask = (input, context) => {\n  return { result: \"value\" };\n};", "var x = 1;", ""],
  },
  {
    rule: "no-require",
    good: [task("const require = (name) => name; return { r: require('x') };")],
    bad: [task("const axios = require('axios');\nreturn axios.get(input.url);")],
  },
  {
    rule: "no-import",
    good: [task("return { imported: false };")],
    bad: ['import axios from "axios";\n(function(input) { return axios; })', task("return import('lodash');")],
  },
  {
    rule: "no-node-api",
    good: [task("const process = (x) => x * 2; return { doubled: process(input.n), env: input.env };")],
    bad: [task("return { env: process.env.HOME };"), task("return { data: Buffer.from('x') };"), task("return { dir: __dirname };")],
  },
  {
    rule: "fetch-then",
    good: [task("const response = fetch(input.url);\nif (!response.ok) throw new NetworkError('no');\nreturn response.body;")],
    bad: [task("return fetch(input.url)\n  .then(response => response.json())\n  .then(data => ({ result: data }));")],
  },
  {
    rule: "fetch-status-unchecked",
    good: [
      task('const response = fetch("https://api.example.com/data");\nif (response.ok) { return { data: response.body }; }\nthrow new NetworkError(`API returned ${response.status}`);'),
      task("const { ok, body } = fetch(input.url);\nif (!ok) throw new NetworkError('failed');\nreturn body;"),
      task("const response = fetch(input.url);\nreturn check(response);"),
    ],
    bad: [task("const response = fetch(input.url);\nreturn { data: response.body };"), task("return { data: fetch(input.url).body };"), task("const { body } = fetch(input.url);\nreturn body;")],
  },
  {
    rule: "throw-string",
    good: [task('throw new DataError("API key is required");')],
    bad: [task('throw "API key is required";'), task("throw `bad ${input.x}`;"), task('throw "bad: " + input.x;')],
  },
  {
    rule: "swallowed-catch",
    good: [
      task("try { return JSON.parse(input.text); } catch (error) { throw new Error(`Task failed: ${error.message}`); }"),
      task("try { return JSON.parse(input.text); } catch (error) { console.error(error.message); }"),
      task("try { return JSON.parse(input.text); } catch (error) { return { error: error.message }; }"),
    ],
    bad: [task("try { return JSON.parse(input.text); } catch (error) {}"), task("let x;\ntry { x = JSON.parse(input.text); } catch (error) { x = null; }\nreturn { x };"), task("try { x(); } catch (e) { [1].forEach(function () { throw e; }); }")],
  },
  {
    rule: "secret-in-log",
    good: [task('console.log("calling the API with key " + (input.apiKey ? "set" : "missing"));\nconsole.log("token length", input.token.length);\nreturn {};'), task('for (const key in input) console.log(key + " given");\nreturn {};')],
    bad: [task('console.log("using key " + input.apiKey);'), task("const token = input.token;\nconsole.info(`token=${token}`);"), task("console.log({ password: input.pw });"), task("console.log(JSON.stringify(input.secret));"), task("console.log(input.key);")],
  },
];

describe("lint rules", () => {
  for (const { rule, good, bad } of cases) {
    it(`${rule}: accepts the guide's correct forms and finds the wrong ones`, () => {
      for (const code of good) expect(rulesOf(code), code).not.toContain(rule);
      for (const code of bad) expect(rulesOf(code), code).toContain(rule);
    });
  }

  it("gives each finding a 1-based position, a severity, a message and a hint", () => {
    const report = lintCode(task("  const fs = require('fs');\n  return { data: fs.readFileSync('file.txt') };"));
    const finding = report.findings.find((f) => f.rule === "no-require")!;
    expect(finding).toMatchObject({ severity: "error", line: 2, column: 14 });
    expect(finding.message).toContain('require("fs")');
    expect(finding.hint).toMatch(/fetch/);
    expect(report.errors).toBeGreaterThan(0);
  });

  it("counts warnings apart from errors", () => {
    const report = lintCode(task('throw "nope";'));
    expect(report).toMatchObject({ errors: 0, warnings: 1 });
  });

  it("reports code that does not parse with its position", () => {
    let caught: unknown;
    try {
      lintCode("(function(input) {\n  return input +;\n})");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LintParseError);
    expect(caught).toMatchObject({ line: 2, column: 17 });
  });
});
