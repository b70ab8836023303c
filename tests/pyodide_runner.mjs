// Runs Python snippets under Pyodide in Node, offline, for tests/pyodide_harness.py.
//
// Usage: node pyodide_runner.mjs PYODIDE_DIR WHEEL...
// Loads Pyodide once, unzips the given pure-Python wheels into site-packages (no network), then
// answers one JSON request per stdin line: {"code": "...", "payload": {...} | null} with one JSON
// line on stdout: {"ok": true, "result": ..., "stdout": "..."} or {"ok": false, "error": "..."}.
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [pyodideDir, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
let captured = [];
const pyodide = await loadPyodide({
  indexURL: pyodideDir + "/",
  stdout: (line) => captured.push(line),
  stderr: (line) => captured.push(line),
});
pyodide.FS.mkdir("/wheels");
for (const wheel of wheels) {
  pyodide.FS.writeFile("/wheels/" + basename(wheel), readFileSync(wheel));
}
await pyodide.runPythonAsync(`
import pathlib, site, zipfile
target = site.getsitepackages()[0]
for wheel in sorted(pathlib.Path("/wheels").glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
`);
const respond = (message) => process.stdout.write(JSON.stringify(message) + "\n");
respond({ ok: true, ready: true });

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  captured = [];
  try {
    const request = JSON.parse(line);
    const namespace = pyodide.globals.get("dict")();
    namespace.set("payload_json", request.payload === null ? null : JSON.stringify(request.payload));
    await pyodide.runPythonAsync(request.code, { globals: namespace });
    const result = namespace.get("result_json");
    namespace.destroy();
    respond({ ok: true, result: result === undefined ? null : JSON.parse(result), stdout: captured.join("\n") });
  } catch (error) {
    respond({ ok: false, error: String(error), stdout: captured.join("\n") });
  }
}
