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

Every case gets ``split``: ``heldout`` for about a third of the *sites* (by a hash of the host name, so no
site is in both parts), ``dev`` for the rest. Tune on ``dev`` only.

    python bench/make_wide_set.py --daniel D --readability R --htmltotext H --out /tmp/wide
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--daniel", type=Path)
    parser.add_argument("--readability", type=Path)
    parser.add_argument("--htmltotext", type=Path)
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
    count = 0
    with (args.out / "cases.jsonl").open("w", encoding="utf-8") as out:
        for cases in sources:
            for case, html, expected in cases:
                if len(expected) < 200:  # nothing to score a body against
                    continue
                case["split"] = "heldout" if is_heldout(case["site"]) else "dev"
                case["html"] = f"html/{case['id']}.html.gz"
                case["expected"] = f"expected/{case['id']}.txt"
                with gzip.open(args.out / case["html"], "wb") as fh:
                    fh.write(html)
                (args.out / case["expected"]).write_text(expected, encoding="utf-8")
                out.write(json.dumps(case, ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} cases in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
