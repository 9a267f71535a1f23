"""The sockets of bench/reports.py, in their own process: N WebSocket clients of
/ws/incidents/, each with its API token (province-wide or bound to one commune). For every
event a socket receives it records its receive time (parsing waits until the end); on SIGTERM
it writes (socket, incident id, kind, event time, receive time) as JSON and exits.

Usage (by bench/reports.py): python bench/reports_listener.py URL TOKENS_FILE OUT_FILE
TOKENS_FILE: one line per socket, "<label> <token key>". Prints READY <n> once every socket
has had its `ready` message."""
import asyncio
import json
import signal
import sys
import time
from datetime import datetime

import websockets


async def follow(url: str, label: str, key: str, records: list, ready: asyncio.Event,
                 counter: list) -> None:
    async with websockets.connect(url, additional_headers={"Authorization": f"Token {key}"},
                                  max_queue=None, ping_interval=None) as socket:
        async for text in socket:
            now = time.time()
            if not ready.is_set() and '"ready"' in text:
                counter[0] += 1
                if counter[0] == counter[1]:
                    ready.set()
                continue
            # Parsed after the run: these clients share the 2 cores with the servers they
            # measure, so they do as little as possible while the load runs.
            records.append((label, text, now))


async def main(url: str, tokens_file: str, out_file: str) -> None:
    sockets = [line.split() for line in open(tokens_file, encoding="utf-8") if line.strip()]
    records: list = []
    ready = asyncio.Event()
    counter = [0, len(sockets)]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    tasks = []
    for label, key in sockets:  # connect in small steps: a burst of 200 handshakes is no test
        tasks.append(asyncio.create_task(follow(url, label, key, records, ready, counter)))
        await asyncio.sleep(0.005)
    await asyncio.wait_for(ready.wait(), timeout=120)
    print(f"READY {len(sockets)}", flush=True)
    await stop.wait()
    failed = sum(task.done() and task.exception() is not None for task in tasks)
    for task in tasks:
        task.cancel()
    parsed = []
    for label, text, now in records:
        message = json.loads(text)
        if "at" in message:
            at = datetime.fromisoformat(message["at"]).timestamp()
            parsed.append((label, message["id"], message["type"], at, now))
    with open(out_file, "w", encoding="utf-8") as out:
        json.dump({"records": parsed, "sockets": len(sockets), "failed": failed}, out)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
