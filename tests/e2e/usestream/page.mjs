// Builds app.jsx into one script (esbuild) and serves it with its page on a loopback port.
import { createServer } from "node:http";
import { build } from "esbuild";

const HTML = `<!doctype html><meta charset="utf-8"><title>useStream</title>
<div id="root"></div><script src="/app.js"></script>`;

export async function servePage() {
  const bundle = await build({
    entryPoints: [new URL("./app.jsx", import.meta.url).pathname],
    bundle: true,
    write: false,
    format: "iife",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0].contents;
  const server = createServer((req, res) => {
    const js = req.url.startsWith("/app.js");
    res.writeHead(200, { "content-type": js ? "text/javascript" : "text/html" });
    res.end(js ? script : HTML);
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}
