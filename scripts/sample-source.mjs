// The local sample source: serves samples/sources/http/ over HTTP the way a district's statistics site would —
// with a strong ETag and Last-Modified, answering 304 to a matching conditional GET — so scripts/run.sh can show
// a collection from http sources. Usage: node scripts/sample-source.mjs <port>   (listens on 127.0.0.1 only)
import { createServer } from "node:http";
import { readFileSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { extname, basename } from "node:path";

const root = new URL("../samples/sources/http/", import.meta.url);
const port = Number(process.argv[2] ?? 7072);
const types = { ".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8", ".html": "text/html; charset=utf-8" };

createServer((request, response) => {
  const name = basename(decodeURIComponent(new URL(request.url, "http://x").pathname));
  let body, modified;
  try {
    const file = new URL(name, root);
    body = readFileSync(file);
    modified = statSync(file).mtime;
  } catch {
    response.writeHead(404).end();
    return;
  }
  const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
  const lastModified = new Date(Math.floor(modified.getTime() / 1000) * 1000).toUTCString();
  if (request.headers["if-none-match"] === etag) {
    response.writeHead(304, { etag }).end();
    return;
  }
  response.writeHead(200, { "content-type": types[extname(name)] ?? "application/octet-stream", etag, "last-modified": lastModified });
  response.end(body);
}).listen(port, "127.0.0.1", () => console.log(`sample source: http://127.0.0.1:${port}/ serving samples/sources/http/`));
