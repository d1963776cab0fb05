// Preload (node --require) that makes every way of reaching the network throw and records the attempt on
// stderr: net/tls connect, http(s).request/get, dns lookups, fetch, WebSocket. Used by noNetwork.test.ts.
const net = require('node:net');
const deny = (what) =>
  function () {
    process.stderr.write(`NETWORK ATTEMPT: ${what}\n`);
    throw new Error(`network access denied: ${what}`);
  };
net.Socket.prototype.connect = deny('net.Socket.connect');
net.connect = net.createConnection = deny('net.connect');
require('node:tls').connect = deny('tls.connect');
for (const m of ['node:http', 'node:https']) {
  const mod = require(m);
  mod.request = deny(`${m}.request`);
  mod.get = deny(`${m}.get`);
}
const dns = require('node:dns');
for (const k of ['lookup', 'resolve', 'resolve4', 'resolve6']) dns[k] = deny(`dns.${k}`);
dns.promises.lookup = deny('dns.promises.lookup');
globalThis.fetch = deny('fetch');
if (globalThis.WebSocket) globalThis.WebSocket = deny('WebSocket');
