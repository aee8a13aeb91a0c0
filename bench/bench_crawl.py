"""Crawl throughput, re-crawl cost and peak memory on generated article pages served from 127.0.0.1.

    python bench/bench_crawl.py [--pages 2000] [--kind real|synthetic]
        [--aeb ../shared/evaldata/extraction/scrapinghub_aeb] [--flores ../shared/evaldata/mt/flores200_devtest]

Two page populations: `real` (default) cycles the 181 real news pages of the Zyte article-extraction
benchmark, each copy made unique by a marker paragraph, so the HTML has real-world size and complexity;
`synthetic` builds pages from FLORES-200 sentences in ten languages inside generated site furniture. Pages
are served by the project's fixture server in a separate process, with politeness delays off. The crawl runs
through the real CLI in a subprocess, so its whole process tree's memory can be sampled. The baseline,
measured in the same run on the same HTML files: bare `trafilatura.extract` on one core.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LANGS = ["en", "de", "el", "es", "fr", "it", "nl", "pl", "pt", "sv"]


def load_sentences(flores: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(flores.glob("*-en.jsonl")):
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        out[path.name[:2]] = [r["src"] for r in rows]
        out.setdefault("en", [r["ref"] for r in rows])
    return out


def furniture(rng: random.Random) -> dict[str, str]:
    """Page furniture of the size real institutional sites carry (their pages weigh 50–150 KB)."""
    words = "policy migration integration regions cities events news funding calls partners about contact".split()
    menu = "".join(
        f'<li class="menu-item"><a href="/{w}/">{w.title()}</a><ul class="sub-menu">'
        + "".join(f'<li><a href="/{w}/{rng.choice(words)}-{k}/">{rng.choice(words).title()} {k}</a></li>' for k in range(12))
        + "</ul></li>"
        for w in words
    )
    script = "<script>" + "".join(f"window.dataLayer=window.dataLayer||[];function g{k}(){{dataLayer.push(arguments)}};" for k in range(120)) + "</script>"
    style = "<style>" + "".join(f".c{k}{{margin:{k}px;padding:{k % 7}px;color:#{k:06x}}}" for k in range(400)) + "</style>"
    footer = "".join(f'<li><a href="/{rng.choice(words)}/{k}">{rng.choice(words).title()} {k}</a></li>' for k in range(80))
    return {"menu": menu, "script": script, "style": style, "footer": footer}


def make_page(i: int, lang: str, sentences: list[str], rng: random.Random) -> str:
    start = rng.randrange(0, len(sentences) - 30)
    body = sentences[start : start + rng.randint(14, 26)]
    paragraphs = [" ".join(body[j : j + 3]) for j in range(0, len(body), 3)]
    title = body[0][:90]
    f = furniture(rng)
    related = "".join(f'<li><a href="/news/{(i + k) % 97}.html">Related story {k}</a></li>' for k in range(1, 6))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{escape(title)} | Regional Integration News</title>{f["style"]}{f["script"]}
<meta property="article:published_time" content="2021-{1 + i % 12:02d}-{1 + i % 28:02d}T09:00:00+01:00">
<meta name="description" content="{escape(body[1][:150])}"><link rel="canonical" href="/news/{i}.html"></head>
<body><header><nav><ul class="menu">{f["menu"]}</ul></nav><form><input name="q"><button>Search</button></form></header>
<div class="cookie-bar">This website uses cookies to give you the best experience. <a href="/cookies">Accept</a></div>
<main><div class="breadcrumb"><a href="/">Home</a> › <a href="/news/">News</a></div>
<article><h1>{escape(title)}</h1><p class="date">{1 + i % 28} June 2021</p>
{"".join(f"<p>{escape(p)}</p>" for p in paragraphs)}
<div class="share">Share: <a href="https://twitter.com/share">Twitter</a> <a href="https://facebook.com/share">Facebook</a></div>
</article><aside><h2>Related news</h2><ul>{related}</ul></aside></main>
<footer><ul>{f["footer"]}</ul><p>© Regional Integration Network. Contact: info@example.org</p><a href="/privacy">Privacy</a></footer>{f["script"]}</body></html>"""


def real_pages(aeb: Path) -> list[str]:
    import gzip

    from integration_watch.content import decode_body

    return [decode_body(gzip.open(p).read(), None) for p in sorted((aeb / "html").glob("*.html.gz"))]


def unique_copy(html: str, i: int) -> str:
    """A real page made distinct: a marker paragraph right after <body> (or at the start)."""
    marker = f"<p>Copy {i} of this page, generated for the crawl benchmark.</p>"
    at = html.lower().find("<body")
    at = html.find(">", at) + 1 if at >= 0 else 0
    return html[:at] + marker + html[at:]


def build_site(root: Path, pages: int, kind: str, aeb: Path, flores: Path) -> list[Path]:
    rng = random.Random(42)
    site = root / "site"
    (site / "news").mkdir(parents=True)
    files = []
    templates = real_pages(aeb) if kind == "real" else []
    sentences = load_sentences(flores) if kind == "synthetic" else {}
    for i in range(pages):
        path = site / "news" / f"{i}.html"
        if kind == "real":
            path.write_text(unique_copy(templates[i % len(templates)], i), encoding="utf-8")
        else:
            lang = LANGS[i % len(LANGS)]
            path.write_text(make_page(i, lang, sentences[lang], rng), encoding="utf-8")
        files.append(path)
    urls = "".join(f"<url><loc>{{{{origin}}}}/news/{i}.html</loc></url>" for i in range(pages))
    (site / "sitemap.xml").write_text(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    return files


def serve(root: Path, queue: multiprocessing.Queue) -> None:  # runs in its own process
    from integration_watch.fixtures import FixtureSites

    with FixtureSites(root) as sites:
        queue.put(sites.origins["site"])
        threading.Event().wait()


def tree_memory_kib(pid: int) -> tuple[int, int, dict[str, int]]:
    """(RSS, PSS, PSS per program) of a process and all its descendants, from /proc. RSS counts pages shared
    between the forked workers once per process; PSS divides them among their sharers, so its sum is the
    real use. The per-program split (python, lt-proc, ...) says who holds the peak."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    rss = pss = 0
    by_program: dict[str, int] = {}
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            name = "main" if p == pid else Path(f"/proc/{p}/comm").read_text().strip()
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
                    by_program[name] = by_program.get(name, 0) + int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return rss, pss, by_program


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one live process so far (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class CrawlCpu:
    """CPU seconds of one crawl: its main process, everything it forked (workers, their template, Apertium,
    the story stage's signing processes), and the fixture server answering it."""
    main: float
    forked: float
    server: float


def run_crawl(db: Path, sources: Path, server: int, *extra: str) -> tuple[float, tuple[int, int], dict, CrawlCpu]:
    cmd = [sys.executable, "-m", "integration_watch.cli", "--db", str(db), "crawl", "--sources", str(sources), "--format", "json", *extra]
    start = time.perf_counter()
    tree_before = _children_cpu()
    server_before = cpu_seconds(server)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = 0
    main_cpu = 0.0
    peak_at = "no sample (the crawl ended at once)"
    while proc.poll() is None:
        main_cpu = max(main_cpu, cpu_seconds(proc.pid))  # the last sample is within 50 ms of its end
        rss, pss, by_program = tree_memory_kib(proc.pid)
        if pss > peak_pss:
            peak_at = f"{time.perf_counter() - start:.1f} s: " + ", ".join(
                f"{name} {kib / 1024:.0f}" for name, kib in sorted(by_program.items(), key=lambda kv: -kv[1]))
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    print(f"  peak PSS of {' '.join(extra) or 'the crawl'} at {peak_at} MB", file=sys.stderr)
    elapsed = time.perf_counter() - start
    out, err = proc.communicate()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"crawl failed ({proc.returncode}): {err}")
    tree = _children_cpu() - tree_before  # the crawl and every descendant it waited for
    cpu = CrawlCpu(main=main_cpu, forked=max(0.0, tree - main_cpu), server=cpu_seconds(server) - server_before)
    return elapsed, (peak_rss, peak_pss), json.loads(out), cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_trafilatura(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of bare trafilatura.extract over the files, in this process."""
    import trafilatura

    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        trafilatura.extract(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--kind", choices=["real", "synthetic"], default="real")
    parser.add_argument("--aeb", type=Path, default=REPO.parent / "shared/evaldata/extraction/scrapinghub_aeb")
    parser.add_argument("--flores", type=Path, default=REPO.parent / "shared/evaldata/mt/flores200_devtest")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = build_site(root / "sites", args.pages, args.kind, args.aeb, args.flores)
        queue: multiprocessing.Queue = multiprocessing.Queue()
        server = multiprocessing.Process(target=serve, args=(root / "sites", queue), daemon=True)
        server.start()
        origin = queue.get(timeout=30)
        sources = root / "sources.toml"
        sources.write_text(
            "[defaults]\ndelay = 0.0\nallow_private_hosts = true\nmax_pages = 1000000\nmin_chars = 100\n"
            f'[[source]]\nname = "bench"\nsitemaps = ["{origin}/sitemap.xml"]\n' + "include = ['^/news/\\d+\\.html$']\n"
        )
        db = root / "bench.db"
        try:
            first, peak, report, cpu = run_crawl(db, sources, server.pid)
            again, peak2, report2, _ = run_crawl(db, sources, server.pid)
            refresh, peak3, report3, _ = run_crawl(db, sources, server.pid, "--refresh")
        finally:
            server.terminate()
        baseline, baseline_cpu = bare_trafilatura(files)

    r1, r2, r3 = (r["sources"]["bench"] for r in (report, report2, report3))
    n = args.pages
    pipeline_rate, bare_rate = n / first, n / baseline
    for url, error in [(e["url"], e["error"]) for r in (r1, r2, r3) for e in r["errors"]][:5]:
        print(f"error: {url}: {error}")
    population = "copies of the 181 real Zyte benchmark pages" if args.kind == "real" else "FLORES-200 text in 10 languages"
    print(f"pages: {n} ({population}), CPUs: {os.cpu_count()}")
    print(f"first crawl:   {first:7.2f} s  {pipeline_rate:7.1f} pages/s  (new articles {r1['new']}, errors {len(r1['errors'])})")
    print(f"bare trafilatura.extract, one core, same HTML: {baseline:7.2f} s  {bare_rate:7.1f} pages/s")
    print(f"ratio pipeline/bare: {pipeline_rate / bare_rate:.2f}  (goal >= {1.4 if args.kind == 'real' else 0.8})")
    # What the machine's load cannot bend: CPU per page. On idle cores the crawl can at best spread its CPU
    # (and the fixture server's, which shares the machine) over all of them.
    spent = cpu.main + cpu.forked + cpu.server
    print(f"CPU per page, first crawl: {1000 * (cpu.main + cpu.forked) / n:.1f} ms (main process {1000 * cpu.main / n:.1f}, "
          f"workers, translation and stories {1000 * cpu.forked / n:.1f}) + fixture server {1000 * cpu.server / n:.1f}; "
          f"bare {1000 * baseline_cpu / n:.1f} ms")
    print(f"ratio if all {os.cpu_count()} cores were the crawl's: {os.cpu_count() * baseline_cpu / spent:.2f} "
          f"(CPU-bound: bare CPU x cores / (crawl + server CPU))")
    print(f"re-crawl (sitemap 304, known articles not requested): {again:6.2f} s = {again / first:.1%} of the first; "
          f"skipped or 304: {(r2['skipped'] + r2['not_modified']) / max(1, r2['skipped'] + r2['not_modified'] + r2['new'] + r2['updated']):.1%}")
    checked = r3["not_modified"] + r3["new"] + r3["updated"]
    print(f"re-crawl --refresh (every article re-requested conditionally): {refresh:6.2f} s = {refresh / first:.1%} of the first; "
          f"answered 304/unchanged: {r3['not_modified'] / max(1, checked):.1%}")
    for label, (rss, pss) in (("first crawl", peak), ("re-crawl", peak2), ("--refresh", peak3)):
        print(f"peak memory of the crawl's process tree, {label}: PSS {pss / 1024:.0f} MB "
              f"(RSS summed over processes {rss / 1024:.0f} MB)  (goal <= 250 MB)")


if __name__ == "__main__":
    main()
