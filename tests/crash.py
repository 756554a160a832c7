#!/usr/bin/env python3
"""crash.py: kill -9 sluice at random moments, resume, and compare.

    python3 tests/crash.py [--rounds N] [--seed N] [--only STEP,...] SLUICE

For each step (import, filter, export, crawl) the driver first runs it
once without interruption into a reference store.  Then, from a fresh
store (or output folder), it starts the same command and kills it with
SIGKILL after a random delay (uniform over the reference run's duration, so
kills land early, in the middle and near the end), checks the invariants
that must hold after any kill, and starts it again (resume), killing that
too at a random moment, until one run finishes; the result must equal the
reference.  It starts afresh until ROUNDS kills have landed:

  import  every input document exactly once, same ids and text hashes;
          PRAGMA integrity_check ok after every kill
  filter  every verdict (stage, decision, reason) and every rewritten
          text identical to the uninterrupted run
  export  after every kill each file with a final name is byte-identical
          to the reference's file of that name (no torn or half-named
          output); at the end the directory holds exactly the reference's
          files, byte for byte (stale temp files swept)
  crawl   (a generated site on a loopback server) after --resume the same
          pages, with the same text, as an uninterrupted crawl, each once
  label   `sluice label` in a tmux terminal; keys pressed, each decision
          confirmed on screen, then SIGKILL at a random moment (between
          keys or right after one): every confirmed decision is in the
          store, at most the one in flight besides, no document annotated
          twice, and the next session goes on where the last one stopped

The reference and the crashed runs use the same binary and inputs.  The
random delays come from --seed, so a failing run can be repeated.  Exit
status 0 when everything matched; otherwise the first difference is
printed.  Only 127.0.0.1 is contacted.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

ZH = ("中文网页的编码测试这是一个使用国标编码的页面用于测试字符集检测和转换是否正确"
      "我们希望爬虫能够识别这个页面的编码并把它转换成统一码而不会出现乱码")
WORDS = ("the of and to in is was for on that with as by at from his her "
         "river mountain history village music garden science market "
         "winter language station bridge library festival").split()


class Fail(Exception):
    pass


def sentence(rng):
    if rng.random() < 0.2:
        return "".join(rng.choice(ZH) for _ in range(rng.randrange(20, 60))) + "。"
    n = rng.randrange(8, 20)
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_corpus(d, rng, files=3, per_file=1500):
    """JSONL files with paragraphs, exact and near duplicates."""
    paths, texts = [], []
    for f in range(files):
        p = os.path.join(d, "in%d.jsonl" % f)
        with open(p, "w", encoding="utf-8") as out:
            for i in range(per_file):
                r = rng.random()
                if texts and r < 0.05:
                    text = rng.choice(texts)                    # exact dup
                elif texts and r < 0.10:
                    text = rng.choice(texts) + " " + sentence(rng)  # near dup
                else:
                    paras = ["\n".join(sentence(rng) for _ in range(rng.randrange(2, 6)))
                             for _ in range(rng.randrange(2, 6))]
                    text = "\n\n".join(paras)
                texts.append(text)
                out.write(json.dumps({"id": "f%d-%d" % (f, i), "text": text,
                                      "source": "s%d" % (i % 2)},
                                     ensure_ascii=False) + "\n")
        paths.append(p)
    return paths


def make_site(d, rng, pages=600):
    """A linked site: every page links to the next few and a random one."""
    os.makedirs(d, exist_ok=True)
    for i in range(pages):
        links = {(i + k) % pages for k in (1, 2, 3)} | {rng.randrange(pages)}
        body = "".join("<p>%s</p>" % sentence(rng) for _ in range(rng.randrange(3, 8)))
        nav = " ".join('<a href="/p%d.html">page %d</a>' % (j, j) for j in sorted(links))
        html = ("<!doctype html><html><head><meta charset=utf-8><title>Page %d</title>"
                "</head><body><nav>%s</nav><main><h1>Page %d</h1>%s</main></body></html>"
                % (i, nav, i, body))
        with open(os.path.join(d, "p%d.html" % i), "w", encoding="utf-8") as f:
            f.write(html)
    with open(os.path.join(d, "robots.txt"), "w") as f:
        f.write("User-agent: *\nDisallow: /private/\n")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def serve(root):
    handler = lambda *a, **k: Quiet(*a, directory=root, **k)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    srv.handle_error = lambda *a: None    # the crawler killed mid-response
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def run(sl, db, args, check=True):
    env = dict(os.environ, SLUICE_DB=db)
    p = subprocess.run([sl, "-q"] + args, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise Fail("'%s' exited %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p.returncode


def timed(sl, db, args):
    t = time.monotonic()
    run(sl, db, args)
    return time.monotonic() - t


def kill_after(sl, db, args, delay):
    """Start the command, SIGKILL it after delay seconds (if still running).
    Returns True when the kill landed before the command finished."""
    env = dict(os.environ, SLUICE_DB=db)
    p = subprocess.Popen([sl, "-q"] + args, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def integrity(db, what):
    r = query(db, "PRAGMA integrity_check")
    if r != [("ok",)]:
        raise Fail("%s: integrity_check says %r" % (what, r[:3]))


def docs_of(db):
    return query(db, "SELECT id, hex(hash) FROM docs ORDER BY id")


def verdicts_of(db):
    return query(db, """SELECT d.id, v.stage, v.decision, coalesce(v.reason, ''),
                               coalesce(v.detail, '')
                        FROM verdicts v JOIN docs d ON d.rowid = v.doc
                        ORDER BY d.id, v.stage""")


def texts_of(db):
    return query(db, """SELECT d.id, t.stage, hex(t.hash) FROM texts t
                        JOIN docs d ON d.rowid = t.doc ORDER BY d.id""")


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "row %d: %r != %r" % (i, x, y)
    return "lengths %d != %d" % (len(a), len(b))


def same(what, got, want):
    if got != want:
        raise Fail("%s differs from the uninterrupted run: %s" % (what, first_diff(got, want)))


def files_of(d):
    out = {}
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, d)] = hashlib.sha256(f.read()).hexdigest()
    return out


class Crash:
    def __init__(self, sl, work, rounds, rng):
        self.sl, self.work, self.rounds, self.rng = sl, work, rounds, rng
        self.kills = {}

    def path(self, name):
        return os.path.join(self.work, name)

    def hammer(self, step, fresh, args, duration, check, resume=None,
               after_kill=None):
        """Kill the command at random moments until `rounds` kills have
        landed.  A cycle starts from fresh() (a new store or output folder)
        and repeats the command, killing it after a random delay, until one
        run finishes; then check(db) compares the result with the
        reference.  So every kill is followed by a resume, and some resumes
        are killed in turn."""
        landed = cycles = 0
        while landed < self.rounds:
            db = fresh()
            cycles += 1
            a = args
            while True:
                delay = self.rng.uniform(0.02, max(0.05, duration * 1.1))
                if landed >= self.rounds or not kill_after(self.sl, db, a, delay):
                    break
                landed += 1
                if os.path.exists(db):
                    integrity(db, "%s after kill %d" % (step, landed))
                if after_kill:
                    after_kill(landed)
                if resume:
                    a = resume(db)
            run(self.sl, db, a)
            check(db)
        self.kills[step] = (landed, cycles)

    def fresh_copy(self, src, name):
        def fresh():
            db = self.path(name)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            if src:
                shutil.copy(src, db)
            return db
        return fresh

    def report(self, step, what, t):
        landed, cycles = self.kills[step]
        print("%s: %s; %d kills landed over %d fresh starts, reference %.2fs"
              % (step, what, landed, cycles, t))

    def step_import(self, inputs):
        ref = self.path("ref.db")
        t = timed(self.sl, ref, ["import"] + inputs)
        want = docs_of(ref)
        self.hammer("import", self.fresh_copy(None, "import.db"),
                    ["import"] + inputs, t,
                    lambda db: same("import: documents", docs_of(db), want))
        self.report("import", "%d documents" % len(want), t)
        return ref

    def step_filter(self, imported):
        ref = self.path("filter-ref.db")
        shutil.copy(imported, ref)
        t = timed(self.sl, ref, ["filter"])
        want_v, want_t = verdicts_of(ref), texts_of(ref)

        def check(db):
            same("filter: verdicts", verdicts_of(db), want_v)
            same("filter: rewritten texts", texts_of(db), want_t)
        self.hammer("filter", self.fresh_copy(imported, "filter.db"),
                    ["filter"], t, check)
        self.report("filter", "%d verdicts" % len(want_v), t)
        return ref

    def step_export(self, filtered, fmt, extra):
        ref_dir = self.path("exp-ref-" + fmt)
        out = self.path("exp-" + fmt)
        args = ["export", "--format", fmt] + extra
        t = timed(self.sl, filtered, args + [ref_dir])
        want = files_of(ref_dir)

        def no_torn_files(k):
            if not os.path.isdir(out):
                return
            for name, digest in files_of(out).items():
                if name in want and digest != want[name]:
                    raise Fail("export %s: after kill %d '%s' has a final name "
                               "but is not the finished file" % (fmt, k, name))

        def fresh():
            shutil.rmtree(out, ignore_errors=True)
            return filtered

        def check(db):
            got = files_of(out)
            if got != want:
                extra_files = sorted(set(got) - set(want))
                missing = sorted(set(want) - set(got))
                changed = sorted(n for n in set(got) & set(want) if got[n] != want[n])
                raise Fail("export %s differs: extra %s, missing %s, changed %s"
                           % (fmt, extra_files[:3], missing[:3], changed[:3]))
        step = "export " + fmt
        self.hammer(step, fresh, args + [out], t, check, after_kill=no_torn_files)
        self.report(step, "%d files identical" % len(want), t)

    def step_crawl(self, site):
        srv = serve(site)
        try:
            seed = "http://127.0.0.1:%d/p0.html" % srv.server_address[1]
            args = ["crawl", "--allow-net", "127.0.0.1/32", "--delay", "0",
                    "--per-host", "4", "--concurrency", "8", "--max-depth", "10000"]
            ref = self.path("crawl-ref.db")
            t = timed(self.sl, ref, args + [seed])
            pages = "SELECT url, hex(hash) FROM docs ORDER BY url"
            want = query(ref, pages)

            def resume(db):
                # a kill before the run was recorded leaves nothing to resume
                started = os.path.exists(db) and query(
                    db, "SELECT count(*) FROM sqlite_master WHERE name = 'crawl_runs'")[0][0] \
                    and query(db, "SELECT count(*) FROM crawl_runs")[0][0]
                return ["crawl", "--resume"] if started else args + [seed]

            def check(db):
                left = query(db, "SELECT count(*) FROM frontier "
                                 "WHERE state IN ('queued', 'fetching')")[0][0]
                if left:
                    raise Fail("crawl: %d URLs left in the frontier" % left)
                same("crawl: pages", query(db, pages), want)
            self.hammer("crawl", self.fresh_copy(None, "crawl.db"), args + [seed],
                        t, check, resume=resume)
            self.report("crawl", "%d pages" % len(want), t)
        finally:
            srv.shutdown()


class Tmux:
    """A private tmux server for one terminal running sluice label."""

    def __init__(self, work):
        self.sock = os.path.join(work, "tmux.sock")
        self.conf = os.path.join(work, "tmux.conf")
        with open(self.conf, "w") as f:
            f.write("set -g remain-on-exit on\nset -g status off\n")

    def tm(self, *args, check=True):
        return subprocess.run(["tmux", "-u", "-S", self.sock, "-f", self.conf] + list(args),
                              check=check, capture_output=True, text=True).stdout

    def start(self, cmd, pidfile):
        """A new session each time (dead ones stay until stop(): killing
        the last session would stop the server under the next start)."""
        self.n = getattr(self, "n", 0) + 1
        self.name = "l%d" % self.n
        # exec'd through sh so the pid written is sluice's own
        self.tm("new-session", "-d", "-s", self.name, "-x", "100", "-y", "30",
                "sh -c 'echo $$ > %s; exec env LANG=C.UTF-8 TERM=screen %s'"
                % (pidfile, cmd))

    def keys(self, k):
        self.tm("send-keys", "-t", self.name, k)

    def screen(self):
        return self.tm("capture-pane", "-p", "-t", self.name, check=False)

    def wait(self, pred, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            scr = self.screen()
            v = pred(scr)
            if v is not None:
                return v
            time.sleep(0.03)
        raise Fail("label: the screen never showed what was expected:\n" + self.screen())

    def stop(self):
        self.tm("kill-server", check=False)


def session_count(scr):
    for line in scr.splitlines():
        k = line.find(" session ")
        if k >= 0 and "done" in line:
            n = line[k + 9:].split()[0]
            if n.isdigit():
                return int(n)
    return None


def label_step(c):
    """kill -9 sluice label at random moments; nothing confirmed is lost."""
    if not shutil.which("tmux"):
        raise Fail("label: tmux is needed")
    db = c.path("label.db")
    docs = os.path.join(c.work, "label.jsonl")
    with open(docs, "w") as f:
        for i in range(40 * max(c.rounds, 3)):
            f.write(json.dumps({"id": "l%04d" % i, "text": "document %d to label" % i}) + "\n")
    run(c.sl, db, ["import", docs])
    run(c.sl, db, ["task", "create", "t", "--labels", "a,b,c"])
    tmux = Tmux(c.work)
    pidfile = c.path("label.pid")
    confirmed = 0
    try:
        for r in range(c.rounds):
            # a 1 s lease: the document on screen at the kill comes back soon
            tmux.start("%s --db %s label --annotator crash --lease 1 t" % (c.sl, db), pidfile)
            n0 = tmux.wait(session_count)
            if n0 != 0:
                raise Fail("label: a new session starts at session %d" % n0)
            keys = c.rng.randrange(0, 6)
            for k in range(keys):
                tmux.keys(str(k % 3 + 1))
                tmux.wait(lambda scr: True if session_count(scr) == k + 1 else None)
                confirmed += 1
            in_flight = 0
            if c.rng.random() < 0.5:
                tmux.keys("1")   # killed before or after it lands
                in_flight = 1
                time.sleep(c.rng.uniform(0, 0.02))
            with open(pidfile) as f:
                os.kill(int(f.read()), signal.SIGKILL)
            stored = query(db, "SELECT count(*) FROM annotations WHERE annotator = 'crash'")[0][0]
            if not confirmed <= stored <= confirmed + in_flight:
                raise Fail("label: after kill %d the store has %d decisions, %d were "
                           "confirmed on screen" % (r + 1, stored, confirmed))
            confirmed = stored
            integrity(db, "label after kill %d" % (r + 1))
            time.sleep(1.1)   # the killed session's lease runs out
        dup = query(db, "SELECT count(*) FROM (SELECT doc FROM annotations "
                        "GROUP BY task, doc, annotator HAVING count(*) > 1)")[0][0]
        if dup:
            raise Fail("label: %d documents annotated twice by one person" % dup)
        finals = query(db, "SELECT count(*) FROM final_labels")[0][0]
        if finals != confirmed:
            raise Fail("label: %d decisions but %d final labels" % (confirmed, finals))
    finally:
        tmux.stop()
    print("label: %d decisions over %d sessions killed with -9, none lost"
          % (confirmed, c.rounds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--only", default="import,filter,export,crawl,label")
    ap.add_argument("sluice")
    a = ap.parse_args()
    steps = set(a.only.split(","))
    sl = os.path.abspath(a.sluice)
    rng = random.Random(a.seed)
    print("crash.py: seed %d, %d kills per step" % (a.seed, a.rounds))
    work = tempfile.mkdtemp(prefix="sluice-crash.")
    try:
        c = Crash(sl, work, a.rounds, rng)
        inputs = make_corpus(work, random.Random(1))
        imported = c.step_import(inputs) if steps & {"import", "filter", "export"} else None
        if steps & {"filter", "export"}:
            filtered = c.step_filter(imported)
            if "export" in steps:
                c.step_export(filtered, "jsonl.zst", ["--shard-size", "2M"])
                c.step_export(filtered, "tokens", ["--shard-tokens", "400000"])
        if "crawl" in steps:
            site = os.path.join(work, "site")
            make_site(site, random.Random(2))
            c.step_crawl(site)
        if "label" in steps:
            label_step(c)
    except Fail as e:
        print("FAIL (seed %d): %s" % (a.seed, e), file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
