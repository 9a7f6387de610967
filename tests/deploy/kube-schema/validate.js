#!/usr/bin/env node
// Validates Kubernetes objects (a JSON array, as check_kubernetes.py renders
// them) against the Kubernetes API's schemas, offline, twice over:
//
// - kubernetes-models' validators, compiled from the API's OpenAPI schemas
//   (the Prometheus Operator's CRDs for its kinds): types, required fields,
//   enumerations and formats;
// - TypeScript's excess-property check on the same models' interfaces, for
//   what those validators let through: an unknown field, such as a
//   misspelt `hostPid`, which the API server's strict field validation
//   (kubectl's default) rejects.
//
// Usage: node validate.js RENDERINGS.json, a JSON object mapping a name (what
// was rendered) to the array of its objects. Prints one line per object, and
// one per problem; exits 1 when there is any.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const ts = require("typescript");

// apiVersion -> module folder holding one module per kind.
function modulePath(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

// The name of the rendering each object came from, set by main().
const origin = new Map();

function describe(object) {
  const meta = object.metadata || {};
  return `${origin.get(object)}: ${object.kind} ` +
    `${meta.namespace ? meta.namespace + "/" : ""}${meta.name}`;
}

function validateSchemas(objects, problems) {
  for (const object of objects) {
    const where = modulePath(object.apiVersion, object.kind);
    let Model;
    try {
      Model = require(where)[object.kind];
    } catch (error) {
      problems.push(`${describe(object)}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`schema: ${describe(object)} valid (${where})`);
    } catch (error) {
      problems.push(`${describe(object)}: ${error.message}`);
    }
  }
}

function checkUnknownFields(objects, problems) {
  const lines = [];
  const owner = [];  // owner[line] = index of the object written there
  objects.forEach((object, index) => {
    const where = modulePath(object.apiVersion, object.kind);
    const text = `export const object${index}: import(${JSON.stringify(where)}).I${object.kind} = ` +
      `${JSON.stringify(object, null, 2)};`;
    for (const line of text.split("\n")) {
      owner.push(index);
      lines.push(line);
    }
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "halfopen-kube-schema-"));
  const file = path.join(dir, "objects.ts");
  try {
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const program = ts.createProgram([file], {
      noEmit: true, strict: true, target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
      typeRoots: [], types: [], baseUrl: __dirname,
      paths: { "*": [path.join(__dirname, "node_modules", "*")] },
    });
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      // "... does not exist in type '{ <the whole type> }'": the field is enough.
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")
        .replace(/ in type '[\s\S]*$/, ".");
      if (!diagnostic.file) {
        problems.push(`TypeScript: ${message}`);
        continue;
      }
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      problems.push(`${describe(objects[owner[line]])}: ${lines[line].trim()} ` +
        `-- ${message}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`fields: ${objects.length} objects checked for unknown fields`);
}

function main() {
  if (process.argv.length !== 3) {
    console.error("usage: validate.js RENDERINGS.json");
    return 2;
  }
  const renderings = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const objects = [];
  for (const [name, rendered] of Object.entries(renderings)) {
    for (const object of rendered) {
      origin.set(object, name);
      objects.push(object);
    }
  }
  const problems = [];
  validateSchemas(objects, problems);
  checkUnknownFields(objects, problems);
  for (const problem of problems) console.log(`PROBLEM: ${problem}`);
  return problems.length ? 1 : 0;
}

process.exitCode = main();
