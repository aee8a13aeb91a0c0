#!/usr/bin/env python3
"""Extraction benchmark: integration_watch.extract.extract_page against bare trafilatura.

Three evaluation sets (see ../shared/evaldata/README.md):

* Zyte article-extraction-benchmark (181 news pages, every one an article): precision, recall and F1
  over 4-word shingles of the body, as upstream's evaluate.py computes them (tp/fp/fn normalised per
  page; precision and recall averaged over pages). Reported as the mean of per-page F1 (the figure
  the project's guide quotes, .943 for bare trafilatura) and as upstream's F1 of the mean P and R.
  Also: pages/s of each extractor (single process, same run, the two run in turn page by page) and how many pages ours wrongly
  called non-articles.
* trafilatura's own evaluation set: a case passes when every ``with`` string is in the extracted
  text and no ``without`` string is; also the share of single segment checks met, and title/date
  agreement where the case has them.
* European Parliament press releases: title, date, first and last sentence of the text.
* The wide set (``--wide DIR``, made by ``bench/make_wide_set.py`` from public benchmark pages of many
  sites and languages): the Zyte metric per page, for its ``dev`` part (tuned on) and its ``heldout`` part
  (sites never looked at), with how many pages are worse than bare trafilatura by more than 0.01, 0.05, 0.1.

    python bench/bench_extraction.py                     # from the repo root
    python bench/bench_extraction.py --data PATH/scrapinghub_aeb --trafilatura-eval PATH --europarl PATH
    python bench/bench_extraction.py --only wide --wide /tmp/wide --worst 10
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from integration_watch.extract import extract_page  # noqa: E402

EVALDATA = ROOT.parent / "shared" / "evaldata"

_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w:.-]+)", re.IGNORECASE)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}


def decode_page(data: bytes) -> str:
    """Decode stored page bytes with the page's own charset (BOM, then <meta charset>), else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    match = _CHARSET_RE.search(data[:20000])
    if match:
        charset = match.group(1).decode("ascii", "ignore").lower()
        charset = _ALIASES.get(charset, charset)
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def read_page(path: Path) -> str:
    with gzip.open(path) as fh:
        return decode_page(fh.read())


# ------------------------------------------------------------------ shingle metric (Zyte benchmark)

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN_RE.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_scores(expected: str, predicted: str) -> tuple[float, float]:
    """Precision and recall over 4-word shingles (counts), as in the benchmark's evaluate.py."""
    true, pred = _shingles(expected), _shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    if fp == fn == 0:
        return 1.0, 1.0
    precision = 0.0 if tp == fp == 0 else tp / (tp + fp)
    recall = 0.0 if tp == fn == 0 else tp / (tp + fn)
    return precision, recall


def summarise(scores: list[tuple[float, float]]) -> dict[str, float]:
    p = statistics.mean(s[0] for s in scores)
    r = statistics.mean(s[1] for s in scores)
    per_page_f1 = statistics.mean((2 * a * b / (a + b)) if a + b else 0.0 for a, b in scores)
    return {"precision": p, "recall": r, "f1": per_page_f1, "f1_of_means": 2 * p * r / (p + r) if p + r else 0.0}


def bare(html: str, url: str) -> str:
    return trafilatura.extract(html) or ""


def ours(html: str, url: str) -> str:
    return extract_page(html, url).text


def _extract_for_pool(args: tuple[str, str]):
    html, url = args
    return extract_page(html, url)


def pool_rate(pages, processes: int) -> float:
    """Steady-state pages/s of extract_page in a pool of worker processes, pickling of the pages and
    results included (as the crawler's workers do). One untimed pass first warms every worker
    (imports, htmldate/dateparser tables), as in a long crawl."""
    import multiprocessing

    with multiprocessing.Pool(processes) as pool:
        pool.map(_extract_for_pool, pages, chunksize=2)
        start = time.perf_counter()
        pool.map(_extract_for_pool, pages, chunksize=2)
        return len(pages) / (time.perf_counter() - start)


def timed(fn, pages):
    """Run fn over pages, return outputs and pages/s."""
    start = time.perf_counter()
    out = [fn(html, url) for html, url in pages]
    return out, len(pages) / (time.perf_counter() - start)


def timed_pair(first, second, pages):
    """Run both extractors page by page, in turn, and time each: a change of machine load during the
    run (other processes on a shared machine) weighs on both alike, which timing one whole pass after
    the other does not. Returns the outputs of each and the pages/s of each."""
    out_first, out_second, t_first, t_second = [], [], 0.0, 0.0
    for html, url in pages:
        start = time.perf_counter()
        out_first.append(first(html, url))
        middle = time.perf_counter()
        out_second.append(second(html, url))
        t_second += time.perf_counter() - middle
        t_first += middle - start
    return out_first, out_second, len(pages) / t_first, len(pages) / t_second


# ------------------------------------------------------------------ the three sets


def load_scored_set(root: Path) -> tuple[list[dict], list[tuple[str, str]], list[str]]:
    """A set in the Zyte layout: its cases, (html, url) pages and expected bodies; both extractors
    warmed up (imports, dateparser tables) so that one timed pass each is fair."""
    cases = [json.loads(line) for line in (root / "cases.jsonl").read_text().splitlines() if line.strip()]
    pages = [(read_page(root / c["html"]), c["url"]) for c in cases]
    expected = [(root / c["expected"]).read_text(encoding="utf-8") for c in cases]
    for html, url in pages[:3]:
        bare(html, url), extract_page(html, url)
    return cases, pages, expected


def bench_zyte(root: Path, show_worst: int, processes: int = 2) -> None:
    cases, pages, expected = load_scored_set(root)
    bare_out, results, bare_rate, our_rate = timed_pair(bare, extract_page, pages)
    our_out = [r.text for r in results]

    s_bare = summarise([page_scores(e, o) for e, o in zip(expected, bare_out)])
    our_scores = [page_scores(e, o) for e, o in zip(expected, our_out)]
    s_ours = summarise(our_scores)
    rejected = Counter(r.reason for r in results if not r.is_article)

    print(f"== Zyte article-extraction-benchmark: {len(pages)} pages ({root})")
    print(f"{'':24}{'P':>7}{'R':>7}{'F1':>7}{'F1(PR)':>8}{'pages/s':>9}")
    for name, s, rate in (("bare trafilatura", s_bare, bare_rate), ("extract_page", s_ours, our_rate)):
        print(f"{name:24}{s['precision']:7.3f}{s['recall']:7.3f}{s['f1']:7.3f}{s['f1_of_means']:8.3f}{rate:9.1f}")
    print(f"F1 ratio ours/bare: {s_ours['f1'] / s_bare['f1']:.3f}   speed ratio: {our_rate / bare_rate:.2f}")
    print(against_bare(our_scores, [page_scores(e, o) for e, o in zip(expected, bare_out)]))
    if processes > 1:
        rate = pool_rate(pages, processes)
        print(f"extract_page with {processes} processes: {rate:.1f} pages/s "
              f"({rate / bare_rate:.2f}x bare trafilatura on one process)")
    print(f"wrongly classified as non-articles: {sum(rejected.values())} {dict(rejected)}")
    with_date = sum(1 for r in results if r.published)
    print(f"pages with a published date: {with_date}/{len(pages)}; with a title: {sum(1 for r in results if r.title)}")
    if show_worst:
        worst = sorted(range(len(cases)), key=lambda i: sum(our_scores[i]))[:show_worst]
        for i in worst:
            print(f"  worst: {cases[i]['id'][:12]} P={our_scores[i][0]:.2f} R={our_scores[i][1]:.2f} {cases[i]['url'][:80]}")


def f1(scores: tuple[float, float]) -> float:
    p, r = scores
    return 2 * p * r / (p + r) if p + r else 0.0


def against_bare(our_scores: list[tuple[float, float]], bare_scores: list[tuple[float, float]]) -> str:
    """How many pages are worse (better) than bare trafilatura by more than 0.01, 0.05, 0.1 of F1."""
    deltas = [f1(o) - f1(b) for o, b in zip(our_scores, bare_scores)]
    worse = "/".join(str(sum(d < -cut for d in deltas)) for cut in (0.01, 0.05, 0.1))
    better = "/".join(str(sum(d > cut for d in deltas)) for cut in (0.01, 0.05, 0.1))
    return f"worse than bare by >0.01/>0.05/>0.1: {worse}   better: {better}"


def bench_wide(root: Path, show_worst: int) -> None:
    cases, pages, expected = load_scored_set(root)
    bare_out, our_out, bare_rate, our_rate = timed_pair(bare, ours, pages)
    bare_scores = [page_scores(e, o) for e, o in zip(expected, bare_out)]
    our_scores = [page_scores(e, o) for e, o in zip(expected, our_out)]
    print(f"\n== wide set: {len(cases)} pages, {len({c['site'] for c in cases})} sites ({root})")
    print(f"speed, one process: bare {bare_rate:.1f} pages/s, extract_page {our_rate:.1f} pages/s, "
          f"ratio {our_rate / bare_rate:.2f}")
    groups: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        groups.setdefault(case["split"], []).append(i)
        groups.setdefault(f"  {case['split']} {case['source']}", []).append(i)
    print(f"{'':28}{'n':>5}{'P':>7}{'R':>7}{'F1':>7}   bare:{'P':>6}{'R':>7}{'F1':>7}")
    for name in sorted(groups, key=lambda g: (g.strip().split()[0], g.startswith(" "), g)):
        idx = groups[name]
        s_ours = summarise([our_scores[i] for i in idx])
        s_bare = summarise([bare_scores[i] for i in idx])
        print(f"{name:28}{len(idx):5}{s_ours['precision']:7.3f}{s_ours['recall']:7.3f}{s_ours['f1']:7.3f}"
              f"        {s_bare['precision']:6.3f}{s_bare['recall']:7.3f}{s_bare['f1']:7.3f}")
        if not name.startswith(" "):
            print(f"    {against_bare([our_scores[i] for i in idx], [bare_scores[i] for i in idx])}")
    if show_worst:
        worst = sorted(range(len(cases)), key=lambda i: f1(our_scores[i]) - f1(bare_scores[i]))[:show_worst]
        for i in worst:
            print(f"  worst vs bare: {cases[i]['split']:7} F1 {f1(our_scores[i]):.2f} vs {f1(bare_scores[i]):.2f} "
                  f"P={our_scores[i][0]:.2f} R={our_scores[i][1]:.2f} {cases[i]['id'][:70]}")


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def bench_trafilatura_eval(root: Path) -> None:
    cases = [json.loads(line) for line in (root / "cases.jsonl").read_text().splitlines() if line.strip()]
    pages = [(read_page(root / c["html"]), c.get("url") or "") for c in cases]
    bare_out, bare_rate = timed(bare, pages)
    results = [extract_page(html, url) for html, url in pages]

    def check(texts):
        passed = seg_ok = seg_total = 0
        for case, text in zip(cases, texts):
            text = _norm(text)
            oks = [_norm(w) in text for w in case.get("with", [])]
            oks += [_norm(w) not in text for w in case.get("without", [])]
            seg_ok += sum(oks)
            seg_total += len(oks)
            passed += all(oks)
        return passed, seg_ok, seg_total

    print(f"\n== trafilatura evaluation set: {len(cases)} cases ({root})")
    for name, texts in (("bare trafilatura", bare_out), ("extract_page", [r.text for r in results])):
        passed, seg_ok, seg_total = check(texts)
        print(f"{name:24} cases passed {passed}/{len(cases)} = {passed / len(cases):.3f}   "
              f"segment checks {seg_ok}/{seg_total} = {seg_ok / seg_total:.3f}")
    rejected = Counter(r.reason for r in results if not r.is_article)
    print(f"extract_page non-articles: {sum(rejected.values())} {dict(rejected)}")
    title_n = title_ok = date_n = date_ok = 0
    for case, r in zip(cases, results):
        meta = case.get("meta") or {}
        if meta.get("title"):
            title_n += 1
            title_ok += _norm(meta["title"]).casefold() == _norm(r.title or "").casefold()
        if meta.get("date"):
            date_n += 1
            date_ok += (r.published or "")[:10] == meta["date"][:10]
    if title_n:
        print(f"metadata: title exact {title_ok}/{title_n} = {title_ok / title_n:.3f}   "
              f"date {date_ok}/{date_n} = {date_ok / max(1, date_n):.3f}")


def bench_europarl(root: Path) -> None:
    cases = [json.loads(line) for line in (root / "cases.jsonl").read_text().splitlines() if line.strip()]
    print(f"\n== European Parliament press releases: {len(cases)} pages ({root})")
    checks = passed = 0
    for case in cases:
        r = extract_page(read_page(root / case["html"]), case["url"])
        notes = [f"article={r.is_article}", f"title={r.title!r}", f"published={r.published}"]
        results = []
        if case.get("title"):
            results.append(("title", _norm(r.title) == _norm(case["title"])))
        if case.get("published_at"):
            m = re.search(r"datetime\((\d+), (\d+), (\d+)", case["published_at"])
            if m:
                want = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
                results.append(("date", (r.published or "")[:10] == want))
        text = _norm(r.text)
        if case.get("text_startswith"):
            results.append(("first sentence", _norm(case["text_startswith"]) in text[:2000]))
        if case.get("text_endswith"):
            results.append(("last sentence", _norm(case["text_endswith"]) in text))
        results.append(("is article", r.is_article))
        checks += len(results)
        passed += sum(ok for _, ok in results)
        failed = [name for name, ok in results if not ok]
        print(f"  {case['id']}: {'ok' if not failed else 'FAILED ' + ', '.join(failed)}  " + "  ".join(notes))
    print(f"europarl checks passed: {passed}/{checks}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=EVALDATA / "extraction" / "scrapinghub_aeb",
                        help="Zyte benchmark folder (cases.jsonl, html/, expected/)")
    parser.add_argument("--trafilatura-eval", type=Path, default=EVALDATA / "extraction" / "trafilatura_eval")
    parser.add_argument("--europarl", type=Path, default=EVALDATA / "eu_html" / "europarl_press")
    parser.add_argument("--wide", type=Path, default=EVALDATA / "extraction" / "wide",
                        help="wide set folder made by bench/make_wide_set.py (cases.jsonl with split dev/heldout)")
    parser.add_argument("--only", choices=["zyte", "trafilatura", "europarl", "wide"], help="run one set only")
    parser.add_argument("--processes", type=int, default=2, help="also time extract_page in N worker processes (0: skip)")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst Zyte (wide: vs bare) pages for extract_page")
    args = parser.parse_args(argv)

    sets = {
        "zyte": (args.data, lambda p: bench_zyte(p, args.worst, args.processes)),
        "trafilatura": (args.trafilatura_eval, bench_trafilatura_eval),
        "europarl": (args.europarl, bench_europarl),
        "wide": (args.wide, lambda p: bench_wide(p, args.worst)),
    }
    print(f"trafilatura {trafilatura.__version__}, Python {sys.version.split()[0]}")
    for name, (path, run) in sets.items():
        if args.only and name != args.only:
            continue
        if not (path / "cases.jsonl").exists():
            print(f"\n== {name}: no data at {path}, skipped")
            continue
        run(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
