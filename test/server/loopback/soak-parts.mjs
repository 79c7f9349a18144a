// The soak's other two parts, each in a process of its own so that the test process runs only the
// proxy: its event loop, its memory. Started with `fork` and driven over IPC.
//
//   vendor  an upstream double on a loopback port; answers by the prompt of a POST or the task id
//           of a GET (normal, slow, endless, huge, silent, refuse); reports open requests on ask.
//   client  sends a plan of requests, a fixed number at a time, and reports each outcome (and
//           whether the key was anywhere in an answer).
import { createServer } from 'node:http';
import { connect } from 'node:net';

const role = process.argv[2];

if (role === 'vendor') {
  let inFlight = 0;
  let requests = 0;
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    requests += 1;
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    let body = '';
    for await (const chunk of req) body += chunk;
    const subject = req.method === 'POST' ? JSON.parse(body).prompt : req.url.split('/').pop();
    const behaviour = subject.replace(/\d+$/, '');
    const answer = (status, json) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const task = { task_id: `${behaviour}1`, status: 'pending' };
    const ok = req.method === 'POST' ? 202 : 200;
    if (behaviour === 'normal') return answer(ok, task);
    if (behaviour === 'refuse') return answer(402, { error: { code: 'insufficient_credits', type: 'billing', message: 'Top up' } });
    if (behaviour === 'slow') return void setTimeout(() => answer(ok, task), 300);
    if (behaviour === 'silent') return;
    if (behaviour === 'huge') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 * 1024 * 1024 });
      return void res.end(Buffer.alloc(2 * 1024 * 1024, 0x20));
    }
    // Endless: as fast as the socket takes it, until the proxy closes the connection.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const more = () => {
      while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', more);
    };
    more();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', () => process.send({ inFlight, requests, openSockets: sockets.size }));
}

if (role === 'client') {
  process.once('message', async ({ port, plan, concurrency, key }) => {
    const outcomes = [];
    let next = 0;
    const send = async ({ kind, method, path, body, user, hangUpAfterMs }) => {
      const started = performance.now();
      if (hangUpAfterMs !== undefined) {
        // Raw bytes: a request head and, for a POST, the start of a body promised longer.
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-user: ${user}\r\n`;
        socket.write(body === undefined ? `${head}\r\n` : `${head}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n${body}`);
        await new Promise((resolve) => setTimeout(resolve, hangUpAfterMs));
        socket.destroy();
        return { kind, status: 0, ms: performance.now() - started };
      }
      const headers = { 'x-user': user, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
      const text = await response.text();
      let code;
      try {
        code = JSON.parse(text).error?.code;
      } catch {
        code = 'not JSON';
      }
      const leaked = text.includes(key) || [...response.headers.values()].some((value) => value.includes(key));
      return { kind, status: response.status, code, ms: performance.now() - started, leaked };
    };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < plan.length) outcomes.push(await send(plan[next++]));
      }),
    );
    process.send(outcomes);
  });
}
