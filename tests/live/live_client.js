// live.js under Node for tests/live/test_live_processes.py: one JSON line per callback.
// usage: node --experimental-websocket live_client.js <socket URL> <API key>
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const source = path.join(__dirname, "..", "..", "live", "static", "live", "live.js");
vm.runInThisContext(fs.readFileSync(source, "utf8"), {filename: source});

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
globalThis.iocLive.connect(process.argv[2], (event) => print({event}), {
  token: process.argv[3],
  minDelay: 200,
  maxDelay: 1000,
  onStatus: (state, detail) => {
    print({state, detail});
    if (state === "refused") process.exit(0);
  },
});
