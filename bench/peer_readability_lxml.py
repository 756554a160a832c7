#!/usr/bin/python3
"""peer_readability_lxml.py IDS HTML_DIR OUT_DIR: readability-lxml (Debian's
python3-readability) over <id>.html.gz, one <id>.txt per page; prints the
pages/s of the extraction itself (startup and file reading excluded)."""
import gzip
import sys
import time

import lxml.html
from readability import Document


def main(ids_path, html_dir, out_dir):
    ids = [l.strip() for l in open(ids_path) if l.strip()]
    pages = {i: gzip.open("%s/%s.html.gz" % (html_dir, i)).read().decode("utf-8")
             for i in ids}
    spent = 0.0
    for i in ids:
        t = time.perf_counter()
        try:
            html = Document(pages[i]).summary(html_partial=True)
            text = "\n\n".join(s.strip() for s in
                               lxml.html.fromstring(html).itertext() if s.strip())
        except Exception:
            text = ""
        spent += time.perf_counter() - t
        with open("%s/%s.txt" % (out_dir, i), "w", encoding="utf-8") as f:
            f.write(text)
    print("%.1f" % (len(ids) / spent))


if __name__ == "__main__":
    main(*sys.argv[1:4])
