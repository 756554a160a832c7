#!/usr/bin/env python3
"""report_html_check.py: validate `sluice report --html` output (stdlib only).

usage: report_html_check.py REPORT.html STATS.json STORE.db [--crawl]

Checks: the page parses; every <svg> fragment is well-formed XML; every
chart is present (and the crawl/classifier ones with --crawl); nothing
refers outside the page; the numbers in the charts equal `sluice stats
--json` and the store; strings from the store are escaped.
Exits 1 with a message on the first failure.
"""
import re
import sqlite3
import sys
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

REGISTRY_ORDER = ["normalize", "exact", "minhash", "lines"]
ALWAYS = ["chart-funnel-docs", "chart-funnel-bytes", "chart-reasons",
          "chart-length", "chart-languages", "chart-sources",
          "chart-clusters", "chart-runs-duration", "chart-runs-docs"]
CRAWL = ["chart-crawl-status", "chart-crawl-time", "chart-crawl-hosts",
         "chart-scores"]


def fail(msg):
    print("report_html_check: " + msg, file=sys.stderr)
    sys.exit(1)


class Page(HTMLParser):
    """Collects ids, forbidden tags and outside references."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.bad, self.cards = set(), [], {}
        self._card = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("script", "link", "img", "iframe", "object", "embed",
                   "image", "use", "foreignobject"):
            self.bad.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "srcset", "action") or \
               k.startswith("on"):
                self.bad.append("%s=%s" % (k, v))
        if a.get("class") == "card":
            self._card = a.get("id")
        if self._card and a.get("class") == "num" and "data-value" in a:
            self.cards[self._card] = int(a["data-value"])


def bars(svg):
    """{(label, series): value} of a chart, in document order."""
    out = {}
    for r in svg.iter("rect"):
        if "data-value" in r.attrib:
            out[(r.get("data-label"), r.get("data-series"))] = \
                float(r.get("data-value"))
    return out


def main():
    html_path, stats_path, db_path = sys.argv[1:4]
    crawl = "--crawl" in sys.argv[4:]
    html = open(html_path, encoding="utf-8").read()
    stats = json.load(open(stats_path))
    db = sqlite3.connect(db_path)

    page = Page()
    page.feed(html)
    page.close()
    if page.bad:
        fail("outside references or scripts: %s" % page.bad[:5])
    for pat in (r"url\(", r"@import"):
        if re.search(pat, html):
            fail("page refers outside itself: %s" % pat)

    svgs = {}
    for frag in re.findall(r"<svg\b.*?</svg>", html, re.S):
        try:
            el = ET.fromstring(frag)
        except ET.ParseError as e:
            fail("svg not well-formed (%s): %s" % (e, frag[:200]))
        if el.get("role") != "img" or el.find("title") is None \
           or not el.find("title").text:
            fail("svg %s lacks role/title" % el.get("id"))
        svgs[el.get("id")] = el
    want = ALWAYS + (CRAWL if crawl else [])
    for cid in want:
        if cid not in svgs:
            fail("chart %s missing" % cid)
    absent = ["crawl-absent", "classify-absent", "labeling-absent"]
    for a in (["labeling-absent"] if crawl else absent):
        if a not in page.ids:
            fail("note %s missing" % a)

    # cards = stats "documents"
    d = stats["documents"][0]
    for card, key in (("card-docs", "docs"), ("card-bytes", "text_bytes"),
                      ("card-chars", "chars")):
        if page.cards.get(card) != d[key]:
            fail("%s %s != stats %s" % (card, page.cards.get(card), d[key]))

    # the funnel = stats "stages", in registry order
    fd = bars(svgs["chart-funnel-docs"])
    st = {s["stage"]: s for s in stats["stages"]}
    labels = []
    for (label, series) in fd:
        if label not in labels:
            labels.append(label)
    known = [s for s in labels if s in REGISTRY_ORDER]
    if known != [s for s in REGISTRY_ORDER if s in st]:
        fail("funnel order %s" % labels)
    if sorted(labels) != sorted(st):
        fail("funnel stages %s != stats %s" % (labels, sorted(st)))
    for name, s in st.items():
        if fd[(name, "in")] != s["docs"]:
            fail("funnel %s in %s != stats %s" % (name, fd[(name, "in")],
                                                  s["docs"]))
        if fd[(name, "out")] != s["kept"] + s["flagged"]:
            fail("funnel %s out != stats kept+flagged" % name)
    fb = bars(svgs["chart-funnel-bytes"])
    for name in st:
        bin_, bout = db.execute(
            "SELECT coalesce(sum(d.nbytes), 0), coalesce(sum(CASE WHEN "
            "v.decision != 'drop' THEN d.nbytes END), 0) FROM verdicts v "
            "JOIN docs d ON d.rowid = v.doc WHERE v.stage = ?",
            (name,)).fetchone()
        if (fb[(name, "in")], fb[(name, "out")]) != (bin_, bout):
            fail("funnel bytes %s" % name)

    # reasons, languages, sources = stats
    rs = {k[0]: v for k, v in bars(svgs["chart-reasons"]).items()}
    for r in stats["reasons"]:
        label = "%s: %s%s" % (r["stage"], r["reason"] or "-",
                              " (flag)" if r["decision"] == "flag" else "")
        if rs.get(label) != r["docs"]:
            fail("reason %s %s != stats %s" % (label, rs.get(label),
                                               r["docs"]))
    if len(rs) != len(stats["reasons"]):
        fail("reasons chart has %d bars, stats %d" % (len(rs),
                                                      len(stats["reasons"])))
    for chart, key, field in (("chart-languages", "languages", "lang"),
                              ("chart-sources", "sources", "source")):
        got = [(k[0], v) for k, v in bars(svgs[chart]).items()]
        exp = [(r[field], r["docs"]) for r in stats[key]]
        if got != exp:
            fail("%s %s != stats %s" % (chart, got, exp))

    # length histogram: every document once; dropped = dropped by a stage
    lh = bars(svgs["chart-length"])
    kept = sum(v for k, v in lh.items() if k[1] == "kept")
    dropped = sum(v for k, v in lh.items() if k[1] == "dropped")
    ndrop = db.execute("SELECT count(DISTINCT doc) FROM verdicts WHERE "
                       "decision = 'drop'").fetchone()[0]
    if kept + dropped != d["docs"] or dropped != ndrop:
        fail("length histogram %d kept %d dropped, want %d docs %d dropped"
             % (kept, dropped, d["docs"], ndrop))
    nclusters = db.execute("SELECT count(DISTINCT cluster) FROM "
                           "minhash_docs").fetchone()[0]
    if sum(bars(svgs["chart-clusters"]).values()) != nclusters:
        fail("cluster chart != %d clusters" % nclusters)
    nruns = db.execute("SELECT count(*) FROM runs").fetchone()[0]
    if len(bars(svgs["chart-runs-duration"])) != min(nruns, 30):
        fail("runs chart != %d runs" % nruns)

    if crawl:
        sc = dict((k[0], v) for k, v in bars(svgs["chart-crawl-status"])
                  .items())
        exp = dict((str(r["status"]), r["fetches"]) for r in
                   stats["fetch_status"]) if "fetch_status" in stats else \
            dict((str(s), n) for s, n in db.execute(
                "SELECT status, count(*) FROM fetches GROUP BY status"))
        if sc != exp:
            fail("status chart %s != %s" % (sc, exp))
        nf = db.execute("SELECT count(*) FROM fetches").fetchone()[0]
        if sum(bars(svgs["chart-crawl-time"]).values()) != nf:
            fail("fetch-time chart != %d fetches" % nf)
        hosts = bars(svgs["chart-crawl-hosts"])
        if len(hosts) > 20:
            fail("more than 20 hosts")
        ns = db.execute("SELECT count(*) FROM verdicts WHERE stage = "
                        "'classify'").fetchone()[0]
        if sum(bars(svgs["chart-scores"]).values()) != ns:
            fail("score chart != %d verdicts" % ns)
        if svgs["chart-scores"].find("line[@class='marker']") is None:
            fail("score chart lacks the threshold marker")

    # escaping: the hostile source appears as text, never as markup
    if "<script>" in html.lower() or "<b>" in html:
        fail("unescaped markup from the store")
    if "&lt;script&gt;" not in html:
        fail("escaped source missing")
    print("report_html_check: %d charts ok" % len(svgs))


main()
