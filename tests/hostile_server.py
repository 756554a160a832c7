#!/usr/bin/env python3
"""hostile_server.py: a loopback HTTP server that misbehaves on purpose.

    python3 tests/hostile_server.py HITS_FILE ZSTD_BOMB_FILE

Prints "PORT" then "ready" on stdout and serves until killed.  Every
request is appended to HITS_FILE as its path.  Pages:

  /            links to every page below
  /zbomb       Content-Encoding: zstd, the bytes of ZSTD_BOMB_FILE (a few KB
               that decompress to hundreds of MB)
  /to-file     302 to file:///etc/passwd
  /to-ftp      302 to ftp://127.0.0.1/x
  /to-gopher   302 to gopher://127.0.0.1/x
  /to-data     302 to data:text/html,<p>hi</p>
  /sql         a page whose text is SQL and quote soup
  /robots.txt  allows everything

Only 127.0.0.1 is bound; the redirects point at schemes the crawler must
refuse without connecting anywhere.
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HITS = open(sys.argv[1], "a", buffering=1)
BOMB = open(sys.argv[2], "rb").read()
REDIRECTS = {
    "/to-file": "file:///etc/passwd",
    "/to-ftp": "ftp://127.0.0.1/x",
    "/to-gopher": "gopher://127.0.0.1/x",
    "/to-data": "data:text/html,<p>hi</p>",
}
SQL = ("<html><head><title>x'); DROP TABLE docs;--</title></head><body><main>"
       "<p>Robert'); DROP TABLE docs;-- said \"hello\" and 'bye' ; DELETE FROM "
       "verdicts WHERE 1=1; -- and then he wrote a long paragraph so the page "
       "has enough text to keep: the quick brown fox jumps over the lazy dog "
       "again and again while the river runs past the old mill.</p></main>"
       "</body></html>").encode()
INDEX = ("<html><body>" + "".join('<a href="%s">%s</a> ' % (p, p) for p in
         ["/zbomb", "/sql"] + sorted(REDIRECTS)) + "</body></html>").encode()


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        HITS.write(self.path + "\n")
        if self.path in REDIRECTS:
            self.send(302, b"", extra=[("Location", REDIRECTS[self.path])])
        elif self.path == "/zbomb":
            self.send(200, BOMB, extra=[("Content-Encoding", "zstd")])
        elif self.path == "/sql":
            self.send(200, SQL)
        elif self.path == "/robots.txt":
            self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif self.path == "/":
            self.send(200, INDEX)
        else:
            self.send(404, b"not found")


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
srv.handle_error = lambda *a: None
print(srv.server_address[1])
print("ready", flush=True)
srv.serve_forever()
