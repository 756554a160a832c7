#!/usr/bin/env python3
"""gen_site.py N DIR: a linked static site of N pages for bench_crawl.sh.

DIR/p/I.html for I in 0..N-1: a title, a nav bar, four paragraphs of
generated prose (about 4 KB), and 10 links: to I+1 (so every page is
reachable from p/0.html) and 9 pseudo-random others.  Deterministic.
"""
import os
import random
import sys

WORDS = ("the crawler fetches pages politely from many hosts and keeps "
         "their main text while dropping navigation menus footers and "
         "other boilerplate so that a language model learns from prose "
         "rather than from link lists cookie banners or templates which "
         "repeat on every page of a site").split()


def para(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 180))) + "."


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(os.path.join(out, "p"), exist_ok=True)
    rng = random.Random(42)
    for i in range(n):
        links = [(i + 1) % n] + [rng.randrange(n) for _ in range(9)]
        nav = "".join(f"<li><a href=\"{j}.html\">page {j}</a></li>" for j in links)
        body = "".join(f"<p>{para(rng)}</p>" for _ in range(4))
        html = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>Page {i}</title></head><body><header><nav><ul>{nav}</ul>"
                f"</nav></header><main><article><h1>Page {i}</h1>{body}</article>"
                f"</main><footer>Generated page {i} of {n}</footer></body></html>\n")
        with open(os.path.join(out, "p", f"{i}.html"), "w") as f:
            f.write(html)


if __name__ == "__main__":
    main()
