#!/usr/bin/env python3
"""crawl_server.py: loopback HTTP servers for the crawler's end-to-end test.

    python3 tests/crawl_server.py HITS_FILE

Binds several servers on 127.0.0.1 (free ports), prints one line per
server, "NAME PORT", then "ready", and serves until killed.  Every request
is appended to HITS_FILE as "PORT PATH" (flushed), so the test can count
how often each URL was fetched.

Servers:
  main      the test site (below), robots.txt disallows /private/ and
            lists /sitemap.xml
  r500      robots.txt answers 500: nothing else may be fetched
  rslow     robots.txt never finishes within the crawler's timeout
  r404      robots.txt is 404: everything allowed
  rredir    robots.txt redirects twice, to a file that disallows /private
  many      a 400-page linked site, /many/N.html, 20 ms per page (kill -9
            and --resume)
  delay     robots.txt asks for Crawl-delay: 60 (capped by --max-delay);
            three linked pages

Only 127.0.0.1 is ever bound; the one redirect off it points at
127.0.0.2 (loopback too), which the crawler must refuse before connecting.
"""
import gzip
import zlib
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HITS_LOCK = threading.Lock()
HITS = None
BOMB = gzip.compress(b"<html><body>" + b"\0" * (64 << 20), 1)
MANY = 400

ZH = ("中文网页的编码测试。这是一个使用国标编码的页面，用于测试字符集检测和转换是否正确。"
      "我们希望爬虫能够识别这个页面的编码，并把它转换成统一码，而不会出现乱码。"
      "网络上有很多这样的中文页面，它们没有声明自己的编码。")
JA = ("これはシフトJISでエンコードされた日本語のページです。文字コードの検出と変換をテストします。"
      "クローラーはこのページの文字コードを正しく判別し、ユニコードに変換しなければなりません。"
      "日本語のウェブページには、文字コードを宣言していないものがまだたくさんあります。")
FR = ("Café crème brûlée, the naïve façade of the “old” hôtel, costs 5 € — "
      "déjà vu for the señor who ordered a piña colada in Zürich. ")


def page(title, body, links=(), head="", lang=None):
    a = "".join(f'<li><a href="{h}">{h}</a></li>' for h in links)
    la = f' lang="{lang}"' if lang else ""
    return (f"<!DOCTYPE html><html{la}><head>{head}<title>{title}</title></head>"
            f"<body><nav><ul>{a}</ul></nav><main><h1>{title}</h1>"
            f"<p>{body}</p><p>{body}</p></main></body></html>")


LINKS = ["/a.html", "/b.html", "/private/secret.html", "/redir/1",
         "/loop/a", "/chain/0", "/to-127-0-0-2", "/slow", "/big", "/bomb",
         "/gbk.html", "/gbk-nodecl.html", "/sjis.html", "/sjis-nodecl.html",
         "/cp1252.html", "/cp1252-nodecl.html", "/broken.html", "/data.bin",
         "/plain.txt", "/notfound", "/flaky", "/retry-after", "/gone",
         "/etag.html", "/nofollow.html", "/base/page.html", "/changing",
         "/deflate.html",
         "mailto:someone@example.com", "javascript:void(0)",
         "http://user:pw@127.0.0.1/creds", "/index.html#frag"]

LOREM = ("This paragraph is here so that the page has enough prose for the "
         "main-text extractor to keep it: it talks about crawling, robots "
         "rules, redirects, and character sets, at some length. ")


class State:
    flaky = 0
    retry_after = 0
    changing = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    kind = "main"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="text/html", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with HITS_LOCK:
            HITS.write(f"{self.server.server_port} {self.path}\n")
            HITS.flush()
        try:
            getattr(self, "serve_" + self.kind)()
        except (BrokenPipeError, ConnectionResetError):
            pass

    # ---- robots variants -------------------------------------------------
    def serve_r500(self):
        if self.path == "/robots.txt":
            return self.send(500, "oops", "text/plain")
        self.send(200, page("r500", LOREM))

    def serve_rslow(self):
        if self.path == "/robots.txt":
            time.sleep(8)
            return self.send(200, "User-agent: *\nAllow: /\n", "text/plain")
        self.send(200, page("rslow", LOREM))

    def serve_r404(self):
        if self.path == "/robots.txt":
            return self.send(404, "no", "text/plain")
        self.send(200, page("r404 home", LOREM))

    def serve_delay(self):
        if self.path == "/robots.txt":
            return self.send(200, "User-agent: *\nCrawl-delay: 60\n", "text/plain")
        n = int(self.path.strip("/") or 0)
        self.send(200, page(f"delay {n}", LOREM, [f"/{n + 1}"] if n < 2 else []))

    def serve_rredir(self):
        if self.path == "/robots.txt":
            return self.send(301, "", None, [("Location", "/r1")])
        if self.path == "/r1":
            return self.send(302, "", None, [("Location", "/r2.txt")])
        if self.path == "/r2.txt":
            return self.send(200, "User-agent: sluice\nDisallow: /private\n",
                             "text/plain")
        self.send(200, page("rredir", LOREM, ["/private", "/public"]))

    # ---- the many-page site ---------------------------------------------
    def serve_many(self):
        if self.path == "/robots.txt":
            return self.send(404, "", "text/plain")
        time.sleep(0.02)
        try:
            n = int(self.path.split("/")[-1].split(".")[0])
        except ValueError:
            n = 0
        links = [f"/many/{(n + k) % MANY}.html" for k in range(1, 6)]
        self.send(200, page(f"many {n}", f"Page number {n}. " + LOREM, links))

    # ---- the main site --------------------------------------------------
    def serve_main(self):
        p = self.path
        port = self.server.server_port
        if p == "/robots.txt":
            return self.send(200, "User-agent: *\nDisallow: /private/\n\n"
                             f"Sitemap: http://127.0.0.1:{port}/sitemap.xml\n",
                             "text/plain")
        if p == "/sitemap.xml":
            return self.send(200, '<?xml version="1.0"?><sitemapindex xmlns='
                             '"http://www.sitemaps.org/schemas/sitemap/0.9">'
                             f"<sitemap><loc>http://127.0.0.1:{port}/sitemap-1.xml"
                             "</loc></sitemap></sitemapindex>", "application/xml")
        if p == "/sitemap-1.xml":
            return self.send(200, '<?xml version="1.0"?><urlset xmlns='
                             '"http://www.sitemaps.org/schemas/sitemap/0.9">'
                             f"<url><loc> http://127.0.0.1:{port}/from-sitemap.html "
                             "</loc></url></urlset>", "application/xml")
        if p in ("/", "/index.html"):
            return self.send(200, page("Home", LOREM, LINKS))
        if p == "/a.html":
            return self.send(200, page("Page A", "Alpha. " + LOREM,
                                       ["/b.html", "c.html", "/a.html"]))
        if p == "/b.html":
            return self.send(200, page("Page B", "Bravo. " + LOREM, ["/"]))
        if p == "/c.html":
            return self.send(200, page("Page C", "Charlie. " + LOREM,
                                       ["/a.html"], lang="en-GB"))
        if p == "/from-sitemap.html":
            return self.send(200, page("Sitemap only", "Listed. " + LOREM))
        if p.startswith("/private/"):
            return self.send(200, page("Secret", "Must not be fetched."))
        if p.startswith("/redir/"):
            n = int(p.split("/")[-1])
            loc = f"/redir/{n + 1}" if n < 3 else "/final.html"
            return self.send(301 if n % 2 else 302, "", None, [("Location", loc)])
        if p == "/final.html":
            return self.send(200, page("Final", "The end of a chain. " + LOREM))
        if p == "/loop/a":
            return self.send(302, "", None, [("Location", "/loop/b")])
        if p == "/loop/b":
            return self.send(302, "", None, [("Location", "/loop/a")])
        if p.startswith("/chain/"):
            n = int(p.split("/")[-1])
            return self.send(307, "", None, [("Location", f"/chain/{n + 1}")])
        if p == "/to-127-0-0-2":
            return self.send(302, "", None,
                             [("Location", f"http://127.0.0.2:{port}/pwned")])
        if p == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(60):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
            return
        if p == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(1 << 30))
            self.end_headers()
            chunk = b"<p>" + b"x" * 65533
            for _ in range((1 << 30) // len(chunk)):
                self.wfile.write(chunk)
            return
        if p == "/bomb":
            return self.send(200, BOMB, "text/html",
                             [("Content-Encoding", "gzip")])
        if p == "/gbk.html":
            return self.send(200, page("GBK 页面", ZH, head='<meta charset="gbk">')
                             .encode("gbk"), "text/html")
        if p == "/gbk-nodecl.html":
            return self.send(200, page("无声明", ZH * 3).encode("gb18030"),
                             "text/html")
        if p == "/sjis.html":
            return self.send(200, page("シフトJIS", JA).encode("shift_jis"),
                             "text/html; charset=Shift_JIS")
        if p == "/sjis-nodecl.html":
            return self.send(200, page("宣言なし", JA * 3).encode("shift_jis"),
                             "text/html")
        if p == "/cp1252.html":
            return self.send(200, page("Menu", FR * 3, head='<meta http-equiv='
                             '"Content-Type" content="text/html; charset='
                             'windows-1252">').encode("cp1252"), "text/html")
        if p == "/cp1252-nodecl.html":
            return self.send(200, page("Menu two", FR * 6).encode("cp1252"),
                             "text/html")
        if p == "/broken.html":
            return self.send(200, "<html><body><div><p>Broken markup "
                             "survives: <b>bold <i>italic</div></table>"
                             "<p>" + LOREM + "<p>unclosed " + LOREM +
                             "</i></span></html></body><<<>>>")
        if p == "/data.bin":
            return self.send(200, bytes(range(256)) * 4,
                             "application/octet-stream")
        if p == "/plain.txt":
            return self.send(200, "Plain text\n  kept as is.\n",
                             "text/plain; charset=utf-8")
        if p == "/flaky":
            State.flaky += 1
            if State.flaky == 1:
                return self.send(503, "busy", "text/plain")
            return self.send(200, page("Flaky", "Second time lucky. " + LOREM))
        if p == "/retry-after":
            State.retry_after += 1
            if State.retry_after == 1:
                return self.send(429, "slow down", "text/plain",
                                 [("Retry-After", "1")])
            return self.send(200, page("Patient", "Waited. " + LOREM))
        if p == "/gone":
            return self.send(500, "broken", "text/plain")
        if p == "/deflate.html":
            return self.send(200, zlib.compress(page("Deflated", "Sent with "
                             "Content-Encoding deflate. " + LOREM).encode()),
                             "text/html", [("Content-Encoding", "deflate")])
        if p == "/nofollow.html":
            return self.send(200, page("No follow", "Links here are not "
                             "followed. " + LOREM, ["/never.html"],
                             '<meta name="robots" content="nofollow">'))
        if p == "/base/page.html":
            return self.send(200, page("Based", "Relative to the base. " + LOREM,
                                       ["x.html"], '<base href="/other/">')
                             .replace('<li><a href="x.html">', '<li><a rel='
                                      '"nofollow" href="/never2.html">n</a>'
                                      '</li><li><a href="x.html">'))
        if p == "/other/x.html":
            return self.send(200, page("Other", "Found through the base. " + LOREM))
        if p == "/changing":
            State.changing += 1
            return self.send(200, page("Changing", f"This is version "
                             f"{State.changing} of a page that changes. " + LOREM))
        if p == "/etag.html":
            if self.headers.get("If-None-Match") == '"v1"':
                return self.send(304, b"", None, [("ETag", '"v1"')])
            return self.send(200, page("Tagged", "Unchanged. " + LOREM),
                             "text/html", [("ETag", '"v1"')])
        self.send(404, "not found", "text/plain")


def main():
    global HITS
    HITS = open(sys.argv[1], "a", encoding="utf-8")
    servers = []
    for kind in ("main", "r500", "rslow", "r404", "rredir", "many", "delay"):
        h = type("H_" + kind, (Handler,), {"kind": kind})
        s = ThreadingHTTPServer(("127.0.0.1", 0), h)
        s.daemon_threads = True
        servers.append(s)
        print(kind, s.server_port, flush=True)
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
