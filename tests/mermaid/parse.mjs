// Reads a Mermaid diagram on stdin and parses it with Mermaid itself (in jsdom, since Mermaid expects a
// browser); prints {"ok": true, "type", "labels", "edges"} or {"ok": false, "error"} and exits 1.
import fs from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const text = fs.readFileSync(0, "utf8");
try {
  const parsed = await mermaid.parse(text);
  const db = (await mermaid.mermaidAPI.getDiagramFromText(text)).db;
  const labels = [...db.getVertices().values()].map((v) => v.text);
  console.log(JSON.stringify({ ok: true, type: parsed.diagramType, labels, edges: db.getEdges().length }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error.message || error) }));
  process.exit(1);
}
