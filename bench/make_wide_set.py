#!/usr/bin/env python3
"""Build the wide extraction set: news pages of many sites and languages, with their full article bodies,
in the Zyte set's layout (``cases.jsonl``, ``html/<id>.html.gz``, ``expected/<id>.txt``) so that
``bench_extraction.py --wide DIR`` scores it like Zyte's pages.

Sources (public, third-party; checked-out copies, given as folders; nothing of them is in this repository):

* ``--daniel``: the DAnIEL corpus as re-annotated in github.com/rundimeco/waddle
  (``corpora/Corpus_daniel_v2.1``: ``html/<id>``, ``reference/<id>`` as ``<p>`` lines; news of 2011-12 in
  English, Chinese, Russian, Greek and Polish from 44 sites). At most ``--per-site`` pages a site.
* ``--readability``: Mozilla Readability's ``test/test-pages`` (``source.html``, ``expected.html``), real
  pages only (the synthetic unit-test pages are small and skipped).
* ``--htmltotext``: github.com/leogao2/htmltotext-benchmark ``benchmarkdata/<lang>/{html,text}``, the
  ``news-*`` pages (hand-made extractions in German, Croatian, English, Chinese).
* ``--fundus``: github.com/flairNLP/fundus ``tests/resources/parser/test_data`` (``<country>/<Publisher>_<date>.html.gz``,
  ``meta.info`` with each page's URL, ``<Publisher>.json`` with the body each version of the publisher's
  hand-written parser gives: summary, section headings, paragraphs). News of 2023-26 from ~40 countries.
* ``--newspaper``: the ``tests/data`` folder of github.com/AndyTheFactory/newspaper4k (``html/<name>.html`` with
  ``txt/<name>.txt``) or of an older commit (``text/<name>.txt``, e.g. 79553f6, the 2014 full-text cases of 78
  US/UK sites). The expected texts are newspaper's own reviewed output.
* ``--wceb``: github.com/Murrough-Foley/web-content-extraction-benchmark (``dev`` and ``test``, each
  ``html/<id>.html.gz`` and ``ground-truth/<id>.json``): pages of 2025, mostly English, ground truth written by a
  language model and reviewed; only those its annotation calls articles (``page_type.primary``).

Every case gets ``split``: ``heldout`` for about a third of the *sites* (by a hash of the host name, so no
site is in both parts), ``dev`` for the rest. Tune on ``dev`` only.

    python bench/make_wide_set.py --daniel D --readability R --htmltotext H --out /tmp/wide
    python bench/make_wide_set.py --fundus F --newspaper N --newspaper N_OLD --skip-known /tmp/wide --out /tmp/fresh
    python bench/make_wide_set.py --wceb W --skip-known /tmp/wide --skip-known /tmp/fresh --out /tmp/fresh_wceb

``--skip-known DIR`` (repeatable) leaves out pages whose URL or expected text's opening is already in a set
made before (or in the evaluation data), so a fresh set holds only pages never tuned on.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

_BLOCK_RE = re.compile(r"<(?:p|div|br|li|h[1-6]|tr|blockquote|pre|section|article|figcaption|dd|dt)\b", re.I)
_HOST_RE = re.compile(r"https?://(?:www\.)?([^/:]+)", re.I)


def html_to_text(html: str) -> str:
    """The visible text of an expected-output HTML fragment, one line per block."""
    tree = LexborHTMLParser(_BLOCK_RE.sub(lambda m: "\n" + m[0], html))
    root = tree.body or tree.root
    if root is None:
        return ""
    lines = (" ".join(line.split()) for line in root.text(deep=True, separator="").splitlines())
    return "\n".join(line for line in lines if line)


def is_heldout(site: str) -> bool:
    return int(hashlib.sha1(site.encode()).hexdigest(), 16) % 3 == 0


def daniel_cases(root: Path, per_site: int):
    langs = json.loads((root / "doc_lg.json").read_text(encoding="utf-8"))
    by_site: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((root / "html").iterdir()):
        by_site[path.name.split("_")[1].removeprefix("www.")].append(path)
    for site, paths in sorted(by_site.items()):
        for path in paths[:per_site]:
            ref = root / "reference" / path.name
            if not ref.exists():
                continue
            expected = html_to_text(ref.read_text(encoding="utf-8", errors="replace"))
            yield {"id": f"daniel-{path.name[:60]}", "site": site, "lang": langs.get(path.name, "?"),
                   "url": f"http://{path.name.split('_')[1]}/", "source": "daniel"}, path.read_bytes(), expected


def readability_cases(root: Path, min_bytes: int = 20_000):
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        source = folder / "source.html"
        if not source.exists() or source.stat().st_size < min_bytes:
            continue
        meta_path = folder / "expected-metadata.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        html = source.read_bytes()
        match = _HOST_RE.search(meta.get("url") or "") or _HOST_RE.search(
            re.search(rb'(?:og:url|canonical)[^>]+(https?://[^"\']+)', html).group(1).decode("ascii", "ignore")
            if re.search(rb'(?:og:url|canonical)[^>]+(https?://[^"\']+)', html) else ""
        )
        site = match[1] if match else folder.name
        expected = html_to_text((folder / "expected.html").read_text(encoding="utf-8"))
        yield {"id": f"readability-{folder.name}", "site": site, "lang": meta.get("lang") or meta.get("language") or "?",
               "url": f"https://{site}/{folder.name}", "source": "readability"}, html, expected


def htmltotext_cases(root: Path):
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for html_path in sorted((lang_dir / "html").glob("news-*.html")):
            text_path = lang_dir / "text" / (html_path.stem + ".txt")
            if not text_path.exists():
                continue
            site = html_path.stem.split("-")[1]
            yield {"id": f"htmltotext-{lang_dir.name}-{html_path.stem[:50]}", "site": site, "lang": lang_dir.name,
                   "url": f"https://{site}/{html_path.stem}", "source": "htmltotext"}, html_path.read_bytes(), \
                text_path.read_text(encoding="utf-8")


def _squeeze(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def fundus_body(version: dict) -> list[str]:
    """The lines of a fundus test case's body: the summary, then each section's headings and paragraphs."""
    body = version.get("body") or {}
    lines = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        lines += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    return [line for line in (" ".join(str(x).split()) for x in lines) if line]


def _best_version(page_text: str, versions: dict[str, list[str]]) -> str | None:
    """The parser version whose body lines the page holds most of (a publisher's json has one body per
    parser version, each made from one of its pages; the pages are not labelled with their version)."""
    squeezed = _squeeze(page_text)
    def found(lines: list[str]) -> float:
        keys = [_squeeze(line)[:60] for line in lines]
        keys = [k for k in keys if len(k) >= 12]
        return sum(k in squeezed for k in keys) / max(1, len(keys))
    scored = sorted(((found(lines), name) for name, lines in versions.items()), reverse=True)
    return scored[0][1] if scored and scored[0][0] >= 0.5 else None


def fundus_cases(root: Path):
    for country in sorted(p for p in root.iterdir() if p.is_dir()):
        meta = json.loads((country / "meta.info").read_text(encoding="utf-8")) if (country / "meta.info").exists() else {}
        for case_json in sorted(country.glob("*.json")):
            versions = {name: fundus_body(v) for name, v in json.loads(case_json.read_text(encoding="utf-8")).items()}
            for path in sorted(country.glob(f"{case_json.stem}_*.html.gz")):
                html = gzip.decompress(path.read_bytes())
                text = html_to_text(html.decode("utf-8", "replace"))
                name = _best_version(text, versions)
                if name is None:
                    continue
                url = (meta.get(path.name) or {}).get("url") or f"https://{case_json.stem.lower()}/"
                match = _HOST_RE.search(url)
                lang = re.search(rb"<html[^>]*\slang=[\"']?([A-Za-z]{2,3})", html[:5000], re.I)
                yield {"id": f"fundus-{country.name}-{path.name.removesuffix('.html.gz')}",
                       "site": match[1] if match else case_json.stem, "lang": lang[1].decode().lower() if lang else "?",
                       "country": country.name, "url": url, "source": "fundus"}, html, "\n".join(versions.pop(name))


def newspaper_cases(root: Path):
    texts = root / "txt" if (root / "txt").is_dir() else root / "text"
    urls = {}
    for line in (root / "fulltext_url_list.txt").read_text().split() if (root / "fulltext_url_list.txt").exists() else []:
        match = _HOST_RE.search(line)
        if match:
            urls.setdefault(match[1], []).append(line)
    for html_path in sorted((root / "html").glob("*.html")):
        text_path = texts / f"{html_path.stem}.txt"
        if not text_path.exists():
            continue
        meta_path = root / "metadata" / f"{html_path.stem}.json"
        url = json.loads(meta_path.read_text(encoding="utf-8")).get("url", "") if meta_path.exists() else ""
        site_guess = re.sub(r"\d+$", "", html_path.stem)
        if not url:  # the 2014 cases: <site>1.html, <site>2.html, their URLs listed in order
            listed = [u for host, us in urls.items() if host.endswith(site_guess) for u in us]
            index = int(html_path.stem[len(site_guess):] or 1) - 1
            url = listed[index] if 0 <= index < len(listed) else f"https://{site_guess}/"
        match = _HOST_RE.search(url)
        site = match[1] if match else site_guess
        yield {"id": f"newspaper-{html_path.stem[:60]}", "site": site, "lang": "?", "url": url,
               "source": "newspaper"}, html_path.read_bytes(), text_path.read_text(encoding="utf-8", errors="replace")


def wceb_cases(root: Path):
    for part in ("dev", "test"):
        for truth_path in sorted((root / part / "ground-truth").glob("*.json")):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            if ((truth.get("_internal") or {}).get("page_type") or {}).get("primary") != "article":
                continue
            html_path = root / part / "html" / f"{truth_path.stem}.html.gz"
            expected = (truth.get("ground_truth") or {}).get("main_content") or ""
            if not html_path.exists() or not expected:
                continue
            url = truth.get("url") or ""
            match = _HOST_RE.search(url)
            yield {"id": f"wceb-{part}-{truth_path.stem}", "site": match[1] if match else truth_path.stem, "lang": "?",
                   "url": url, "source": "wceb"}, gzip.decompress(html_path.read_bytes()), expected


def known_pages(folders: list[Path]) -> tuple[set[str], set[str]]:
    """URLs (without scheme and www.) and expected-text openings of the sets in ``folders``."""
    urls, openings = set(), set()
    for folder in folders:
        for line in (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            if case.get("url") or case.get("key"):  # the trafilatura eval names its URL "key"
                urls.add(_url_key(case.get("url") or case["key"]))
            expected = folder / case["expected"] if case.get("expected") else None
            if expected and expected.exists():
                openings.add(_squeeze(expected.read_text(encoding="utf-8"))[:80])
    return urls, openings


def _marked_utf8(html: bytes) -> bytes:
    """These projects store their pages re-encoded in UTF-8 whatever the page's <meta charset> says: a BOM
    makes the bench (and any reader that honours one) decode them as what they are."""
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        return html
    return html if html.startswith(codecs.BOM_UTF8) else codecs.BOM_UTF8 + html


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(?:www\.)?", "", url.strip()).rstrip("/").casefold()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--daniel", type=Path)
    parser.add_argument("--readability", type=Path)
    parser.add_argument("--htmltotext", type=Path)
    parser.add_argument("--fundus", type=Path)
    parser.add_argument("--newspaper", type=Path, action="append", default=[])
    parser.add_argument("--wceb", type=Path)
    parser.add_argument("--skip-known", type=Path, action="append", default=[],
                        help="a set folder (cases.jsonl, expected/) whose pages are left out")
    parser.add_argument("--per-site", type=int, default=5, help="DAnIEL pages kept per site")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    (args.out / "html").mkdir(parents=True, exist_ok=True)
    (args.out / "expected").mkdir(exist_ok=True)
    sources = []
    if args.daniel:
        sources.append(daniel_cases(args.daniel, args.per_site))
    if args.readability:
        sources.append(readability_cases(args.readability))
    if args.htmltotext:
        sources.append(htmltotext_cases(args.htmltotext))
    if args.fundus:
        sources.append(fundus_cases(args.fundus))
    sources += [newspaper_cases(folder) for folder in args.newspaper]
    if args.wceb:
        sources.append(wceb_cases(args.wceb))
    known_urls, known_openings = known_pages(args.skip_known)
    count = skipped = 0
    with (args.out / "cases.jsonl").open("w", encoding="utf-8") as out:
        for cases in sources:
            for case, html, expected in cases:
                if len(expected) < 200:  # nothing to score a body against
                    continue
                if _url_key(case["url"]) in known_urls or _squeeze(expected)[:80] in known_openings:
                    skipped += 1
                    continue
                known_urls.add(_url_key(case["url"]))  # a page a source holds twice is taken once
                case["split"] = "heldout" if is_heldout(case["site"]) else "dev"
                case["html"] = f"html/{case['id']}.html.gz"
                case["expected"] = f"expected/{case['id']}.txt"
                with gzip.open(args.out / case["html"], "wb") as fh:
                    fh.write(_marked_utf8(html) if case["source"] in ("fundus", "newspaper", "wceb") else html)
                (args.out / case["expected"]).write_text(expected, encoding="utf-8")
                out.write(json.dumps(case, ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} cases in {args.out}" + (f" ({skipped} left out: already in a known set)" if skipped else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
