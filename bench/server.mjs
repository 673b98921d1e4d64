// Keep-alive loopback server for the benchmarks, run in its own process.
// Answers every request with a ~1 KiB JSON body; POST bodies are read and discarded.
import http from 'node:http';

const items = [];
for (let i = 0; JSON.stringify(items).length < 1000; i++) items.push({ id: i, name: `item-${i}`, ok: true });
const body = Buffer.from(JSON.stringify(items));

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 600_000;
server.headersTimeout = 610_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
  if (!process.send) console.log(server.address().port);
});
process.on('disconnect', () => process.exit(0));
