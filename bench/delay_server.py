#!/usr/bin/env python3
"""delay_server.py ROOT DELAY_MS: static files on 127.0.0.1, each response
held back DELAY_MS milliseconds, as a server that far away would be.

Prints the port it bound, then serves (HTTP/1.1 keep-alive, GET only) until
killed.  asyncio: thousands of connections wait at once, so the delay, not
this server, limits a crawler that keeps several requests in flight.
"""
import asyncio
import os
import sys

ROOT = os.path.realpath(sys.argv[1])
DELAY = int(sys.argv[2]) / 1000.0


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            parts = line.decode("latin-1").split()
            path = parts[1].split("?")[0] if len(parts) > 1 else "/"
            full = os.path.realpath(os.path.join(ROOT, path.lstrip("/")))
            await asyncio.sleep(DELAY)
            if full.startswith(ROOT + os.sep) and os.path.isfile(full):
                with open(full, "rb") as f:
                    body = f.read()
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            else:
                body = b"not found"
                head = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
