"""Language-identification benchmark for integration_watch.language.

    python bench/bench_langid.py [--data ../shared/evaldata/langid] [--per-lang 1000]

Data: lingua-py's language test data (Leipzig corpora; see the data's README):
``lingua_sentences.jsonl`` (23 EU languages x 1000 sentences, plus 17 neighbours x 300)
and ``lingua_word_pairs.jsonl`` (300 per language).  The module's constants were set on
the first half of each language's sentences ("dev"); the second half ("held-out") was
not looked at while developing, so a gap between the two would show over-fitting.

Short text: the EU-23 sentences of at most 60 characters (Tatoeba-like titles, captions and quotes; all
of them, dev/held-out halves as above) and the word pairs (dev = the first 150 per language).
``--lingua high|low`` also scores lingua-language-detector, the reference, restricted to our languages,
and prints its memory.

Reports, in the same run, bare langdetect (its global profiles, seed 0) as the baseline,
and the speed of ``LanguageDetector.detect`` on a 3,000-character multi-paragraph
article beside one bare langdetect call on the same text.

``--sentences FILE`` scores any file of short sentences labelled with their language (JSONL with "lang" and
"text"; or TSV ``lang<TAB>text``; or Tatoeba's own export ``id<TAB>lang<TAB>text``; or a Tatoeba-Challenge test
file ``lang1<TAB>lang2<TAB>text1<TAB>text2``; ISO 639-3 codes accepted),
at most ``--sentences-per-lang`` per language, per language and overall, with the confusions, beside bare
langdetect and (with ``--lingua``) lingua. Its dev half is the sentences whose CRC-32 is even, the held-out half
the others: tune on dev only (``--sentence-errors`` writes the dev errors), report held-out.

Maltese is not in lingua's data: with ``--flores`` (default: the FLORES-200 multiway file
beside the data, if present) every EU-24 language, Maltese included, is also scored on
FLORES devtest sentences, none of which were used for development.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import langdetect  # noqa: E402
from langdetect import DetectorFactory  # noqa: E402
from langdetect.detector_factory import PROFILES_DIRECTORY  # noqa: E402

from integration_watch.language import LanguageDetector  # noqa: E402
from integration_watch.language_codes import DEFAULT_LANGUAGES, EU_LANGUAGES  # noqa: E402

EU23 = [lang for lang in EU_LANGUAGES if lang != "mt"]  # lingua has no Maltese
SHORT_CHARS = 60  # a "short sentence"
NO_PROFILE = {"ga", "mt"}

ARTICLE_PARAGRAPHS = [
    "The European Commission and the European Committee of the Regions launched today a new "
    "partnership to increase cooperation and support to EU cities, regions and rural areas for "
    "their work to help integrate new arrivals.",
    "The partnership is a follow-up to the action plan on integration and inclusion 2021-2027 "
    "that the Commission adopted last November. It aims to build an open and regular dialogue "
    "between the Commission, the Committee of the Regions, and local and regional authorities "
    "on integration through political roundtables, public consultations and a new forum.",
    "Share",
    "It will also build capacity and promote exchange of experiences for local and regional "
    "authorities on different aspects of integration and on community sponsorship through "
    "workshops, online training materials, study visits, mentoring and exchange programmes.",
    "Related events",
    "Improving evidence and data on integration at the local level is a third priority, for "
    "example by providing information on the European Website on Integration, drawing on data "
    "collected in the EU Annual Local and Regional Barometer and other sources.",
    "Commissioner for Home Affairs said that integration happens in cities, towns and villages, "
    "and that the partnership gives local and regional authorities a stronger voice in shaping "
    "the policies that affect them. The President of the Committee of the Regions added that "
    "regions and cities are on the front line of welcoming newcomers.",
    "The first event under the partnership, an online workshop for local and regional "
    "authorities on setting up a local integration strategy, will take place in June. Cities "
    "and regions from across the EU will share experiences and good practice on how to design "
    "and implement local integration strategies and how to involve stakeholders.",
]


def build_article(target: int = 3000) -> str:
    paras: list[str] = []
    i = 0
    while len("\n".join(paras)) < target:
        paras.append(ARTICLE_PARAGRAPHS[i % len(ARTICLE_PARAGRAPHS)])
        i += 1
    return "\n".join(paras)[:target]


def load(path: Path, per_lang: int) -> list[dict]:
    seen: Counter = Counter()
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            seen[row["lang"]] += 1
            if seen[row["lang"]] > per_lang:
                continue
            row["pos"] = seen[row["lang"]]  # 1-based position within its language
            rows.append(row)
    return rows


def bare_factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def bare_detect(factory: DetectorFactory, text: str) -> str | None:
    detector = factory.create()
    detector.append(text)
    try:
        lang = detector.detect()
    except langdetect.lang_detect_exception.LangDetectException:
        return None
    return {"no": "nb"}.get(lang, lang)


def accuracy(rows, preds, langs=None, where=lambda r: True) -> tuple[float, int]:
    if preds is None:  # baseline skipped
        return float("nan"), 0
    ok = n = 0
    for row, pred in zip(rows, preds):
        if (langs is None or row["lang"] in langs) and where(row):
            n += 1
            ok += pred == row["lang"]
    return (ok / n if n else float("nan")), n


def split_accuracy(rows, preds, lang: str, dev, held) -> tuple[float, float, float, int]:
    """One language's accuracy on the dev half, the held-out half and all, and how many rows it has."""
    a_dev, _ = accuracy(rows, preds, {lang}, dev)
    a_held, _ = accuracy(rows, preds, {lang}, held)
    a_all, n = accuracy(rows, preds, {lang})
    return a_dev, a_held, a_all, n


def pct(x: float) -> str:
    return "   -  " if x != x else f"{100 * x:5.1f}%"


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


def build_lingua(mode: str):
    """lingua restricted to our languages (Maltese: none in lingua), models preloaded: (detect, seconds, MB)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = []
    for code in DEFAULT_LANGUAGES:
        try:
            langs.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    before = _rss_mb()
    t0 = time.perf_counter()
    builder = LanguageDetectorBuilder.from_languages(*langs)
    if mode == "low":
        builder = builder.with_low_accuracy_mode()
    lingua = builder.with_preloaded_language_models().build()
    built = time.perf_counter() - t0

    def code(text: str) -> str | None:
        found = lingua.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    print(f"  lingua ({mode}): {len(langs)} languages, built in {built:.1f} s, +{_rss_mb() - before:.0f} MB RSS")
    return code


def bench_lingua(mode: str, lingua, short: list[dict], pairs: list[dict], eu: set[str]) -> None:
    for name, rows in ((f"EU-23 short (<= {SHORT_CHARS} ch)", short), ("EU-23 word pairs", pairs)):
        t0 = time.perf_counter()
        preds = [lingua(r["text"]) for r in rows]
        per = 1000 * (time.perf_counter() - t0) / len(rows)
        a, n = accuracy(rows, preds, eu)
        print(f"  lingua ({mode}) {name + ':':28} {pct(a):>7}   n={n}, {per:.2f} ms each")


# ISO 639-3 (Tatoeba's codes) -> ours, for the languages we detect
_ISO3 = {
    "bul": "bg", "ces": "cs", "dan": "da", "deu": "de", "ell": "el", "eng": "en", "spa": "es", "est": "et",
    "fin": "fi", "fra": "fr", "gle": "ga", "hrv": "hr", "hun": "hu", "ita": "it", "lit": "lt", "lvs": "lv",
    "lav": "lv", "mlt": "mt", "nld": "nl", "pol": "pl", "por": "pt", "ron": "ro", "slk": "sk", "slv": "sl",
    "swe": "sv", "cat": "ca", "nob": "nb", "sqi": "sq", "als": "sq", "mkd": "mk", "srp": "sr", "ukr": "uk",
    "rus": "ru", "bel": "be", "tur": "tr", "cym": "cy",
}


def _labelled(line: str) -> list[tuple[str, str]]:
    """(lang, text) pairs of one line: JSONL {"lang", "text"}; TSV lang, text; Tatoeba's export id, lang, text; or
    Tatoeba-Challenge's test files lang1, lang2, text1, text2 (both sentences)."""
    if line.startswith("{"):
        rec = json.loads(line)
        return [(rec["lang"], rec["text"])]
    parts = line.split("\t")
    if len(parts) == 4:
        return [(parts[0], parts[2]), (parts[1], parts[3])]
    return [(parts[-2], parts[-1])] if len(parts) >= 2 else []


def load_sentences(path: Path, per_lang: int) -> list[dict]:
    """Labelled short sentences (``_labelled``'s formats); languages we do not detect are left out (so is
    Tatoeba-Challenge's "nor", bokmål and nynorsk mixed); duplicates once; at most ``per_lang`` per language, in
    file order. Each row gets ``dev``: whether the text's CRC-32 is even (a split that does not depend on the
    order)."""
    seen: Counter = Counter()
    done: set[tuple[str, str]] = set()
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            for lang, text in _labelled(line):
                lang = _ISO3.get(lang, lang)
                text = text.strip()
                if lang not in DEFAULT_LANGUAGES or (lang, text) in done or seen[lang] >= per_lang:
                    continue
                done.add((lang, text))
                seen[lang] += 1
                rows.append({"lang": lang, "text": text, "dev": zlib.crc32(text.encode("utf-8")) % 2 == 0})
    return rows


def bench_sentences(args, detector: LanguageDetector, factory, lingua) -> None:
    """Short labelled sentences (Tatoeba-like): per language, overall, confusions."""
    rows = load_sentences(Path(args.sentences), args.sentences_per_lang)
    t0 = time.perf_counter()
    ours = [detector.detect_short(r["text"])[0] for r in rows]
    per_ours = 1000 * (time.perf_counter() - t0) / max(1, len(rows))
    base = None if args.no_baseline else [bare_detect(factory, r["text"]) for r in rows]
    ling = None if lingua is None else [lingua(r["text"]) for r in rows]
    dev = lambda r: r["dev"]
    held = lambda r: not r["dev"]
    langs = sorted({r["lang"] for r in rows})
    print(f"{Path(args.sentences).name}: {len(rows)} sentences, {len(langs)} languages "
          f"(at most {args.sentences_per_lang} each; dev = even CRC-32), mean {sum(len(r['text']) for r in rows) / max(1, len(rows)):.0f} characters")
    header = (f"{'lang':5} {'n':>5}  {'dev':>6} {'held':>6} {'ours':>6}  {'bare':>6}  {'lingua':>6}"
              "  ours's confusions (all)")
    print(header)
    print("-" * len(header))
    means: dict[str, list[float]] = defaultdict(list)
    for lang in langs:
        a_dev, a_held, a_all, n = split_accuracy(rows, ours, lang, dev, held)
        b_all, _ = accuracy(rows, base, {lang})
        l_all, _ = accuracy(rows, ling, {lang})
        for name, value in (("ours", a_all), ("bare", b_all), ("lingua", l_all)):
            means[name].append(value)
        conf = Counter(p for r, p in zip(rows, ours) if r["lang"] == lang and p != lang)
        top = " ".join(f"{k}:{v}" for k, v in conf.most_common(4))
        print(f"{lang:5} {n:5}  {pct(a_dev)} {pct(a_held)} {pct(a_all)}  {pct(b_all)}  {pct(l_all)}  {top}")
    eu = set(EU_LANGUAGES) & set(langs)
    for subset, name in ((None, f"{len(langs)} languages"), (eu, f"EU-{len(eu)}")):
        for split_name, where in (("dev", dev), ("held-out", held), ("all", lambda r: True)):
            a, n = accuracy(rows, ours, subset, where)
            b, _ = accuracy(rows, base, subset, where)
            c, _ = accuracy(rows, ling, subset, where)
            print(f"  {name + ', ' + split_name:24} ours {pct(a):>7}   bare {pct(b):>7}   lingua {pct(c):>7}   n={n}")
    mean = {k: sum(v) / len(v) for k, v in means.items()}
    print(f"  {'mean of the languages':24} ours {pct(mean['ours']):>7}   bare {pct(mean['bare']):>7}"
          f"   lingua {pct(mean['lingua']):>7}")
    print(f"  no answer: {sum(p in (None, 'und') for p in ours)}; ours {per_ours:.2f} ms a sentence")
    if args.sentence_errors:
        with open(args.sentence_errors, "w", encoding="utf-8") as fh:
            for r, p in zip(rows, ours):
                if p != r["lang"] and r["dev"]:
                    fh.write(f"{r['lang']}\t{p}\t{r['text']}\n")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(HERE.parent.parent / "shared/evaldata/langid"))
    parser.add_argument("--per-lang", type=int, default=1000)
    parser.add_argument("--flores", default=None, help="FLORES multiway_eu24.jsonl.gz (optional)")
    parser.add_argument("--no-baseline", action="store_true", help="skip bare langdetect (faster)")
    parser.add_argument("--dev-only", action="store_true", help="score only the dev half (for development)")
    parser.add_argument("--errors", default=None, help="write misclassified dev sentences to this file")
    parser.add_argument("--lingua", choices=["high", "low"], default=None,
                        help="also score lingua-language-detector (pip install lingua-language-detector), restricted "
                             "to our languages, on the short sentences and word pairs, with its memory")
    parser.add_argument("--sentences", default=None,
                        help="also score this file of labelled short sentences (JSONL, TSV or Tatoeba's export)")
    parser.add_argument("--sentences-per-lang", type=int, default=500)
    parser.add_argument("--sentence-errors", default=None, help="write the --sentences dev errors to this file")
    parser.add_argument("--sentences-only", action="store_true", help="score only --sentences (no lingua data, speed)")
    args = parser.parse_args(argv)

    data = Path(args.data)
    detector = LanguageDetector()
    factory = bare_factory()
    half = args.per_lang // 2
    lingua = build_lingua(args.lingua) if args.lingua else None
    if args.sentences:
        bench_sentences(args, detector, factory, lingua)
        if args.sentences_only:
            return 0

    sentences = load(data / "lingua_sentences.jsonl", args.per_lang)
    if args.dev_only:
        sentences = [r for r in sentences if r["pos"] <= half]
    pairs = load(data / "lingua_word_pairs.jsonl", args.per_lang)

    t0 = time.perf_counter()
    ours = [detector.detect_short(r["text"])[0] for r in sentences]
    t_ours = time.perf_counter() - t0
    ours_pairs = [detector.detect_short(r["text"])[0] for r in pairs]
    if args.no_baseline:
        base = base_pairs = None
        t_base = float("nan")
    else:
        t0 = time.perf_counter()
        base = [bare_detect(factory, r["text"]) for r in sentences]
        t_base = time.perf_counter() - t0
        base_pairs = [bare_detect(factory, r["text"]) for r in pairs]

    dev = lambda r: r["pos"] <= half  # noqa: E731
    held = lambda r: r["pos"] > half  # noqa: E731
    langs = sorted({r["lang"] for r in sentences}, key=lambda x: (x not in EU23, x))
    print(f"lingua sentences: {len(sentences)} ({args.per_lang} per EU language max; dev = first {half})")
    print()
    header = f"{'lang':5} {'n':>5}  {'dev':>6} {'held':>6} {'all':>6}  {'bare':>6}  {'pairs':>6} {'bare':>6}  top confusions (held-out)"
    print(header)
    print("-" * len(header))
    for lang in langs:
        a_dev, a_held, a_all, n = split_accuracy(sentences, ours, lang, dev, held)
        b_all, _ = accuracy(sentences, base, {lang})
        p_all, _ = accuracy(pairs, ours_pairs, {lang})
        pb_all, _ = accuracy(pairs, base_pairs, {lang})
        conf = Counter(
            p for r, p in zip(sentences, ours) if r["lang"] == lang and held(r) and p != lang
        )
        top = " ".join(f"{k}:{v}" for k, v in conf.most_common(3))
        mark = "*" if lang in NO_PROFILE else " "
        print(
            f"{lang + mark:5} {n:5}  {pct(a_dev)} {pct(a_held)} {pct(a_all)}  {pct(b_all)}  "
            f"{pct(p_all)} {pct(pb_all)}  {top}"
        )
    print("(* no langdetect profile: hand-written rules)")
    print()

    eu = set(EU23)
    eu_profiled = eu - NO_PROFILE
    neighbours = {r["lang"] for r in sentences} - eu
    print(f"{'totals (sentences)':34} {'ours':>7} {'bare':>7}")
    for name, subset in (("EU-23", eu), ("EU-21 with a profile", eu_profiled), ("Irish (ga)", {"ga"}),
                         ("neighbours (17)", neighbours)):
        for split_name, where in (("dev", dev), ("held-out", held), ("all", lambda r: True)):
            a, n = accuracy(sentences, ours, subset, where)
            if n == 0:
                continue
            b, _ = accuracy(sentences, base, subset, where)
            print(f"  {name + ', ' + split_name:32} {pct(a):>7} {pct(b):>7}   n={n}")
    # Short sentences (Tatoeba-like: titles, captions, quotes): the EU-23 sentences of at most
    # SHORT_CHARS characters, all of them (not only --per-lang), dev and held-out halves as above.
    short = [r for r in load(data / "lingua_sentences.jsonl", 10**9) if r["lang"] in eu and len(r["text"]) <= SHORT_CHARS]
    ours_short = [detector.detect_short(r["text"])[0] for r in short]
    base_short = None if args.no_baseline else [bare_detect(factory, r["text"]) for r in short]
    for split_name, where in (("dev", dev), ("held-out", held), ("all", lambda r: True)):
        a, n = accuracy(short, ours_short, eu, where)
        b, _ = accuracy(short, base_short, eu, where)
        print(f"  {f'EU-23 short (<= {SHORT_CHARS} ch), ' + split_name:32} {pct(a):>7} {pct(b):>7}   n={n}")
    if lingua is not None:
        bench_lingua(args.lingua, lingua, short, pairs, eu)
    pairs_half = max(r["pos"] for r in pairs) // 2  # 300 pairs a language: dev = the first 150
    for split_name, where in (("dev", lambda r: r["pos"] <= pairs_half), ("held-out", lambda r: r["pos"] > pairs_half),
                              ("all", lambda r: True)):
        a, n = accuracy(pairs, ours_pairs, eu, where)
        b, _ = accuracy(pairs, base_pairs, eu, where)
        print(f"  {'EU-23 word pairs, ' + split_name:32} {pct(a):>7} {pct(b):>7}   n={n}")
    a, n = accuracy(pairs, ours_pairs, eu_profiled)
    b, _ = accuracy(pairs, base_pairs, eu_profiled)
    print(f"  {'EU-21 word pairs (profiled)':32} {pct(a):>7} {pct(b):>7}   n={n}")
    a_eu, _ = accuracy(sentences, ours, eu)
    b_eu, _ = accuracy(sentences, base, eu)
    if b_eu == b_eu:
        print(f"  error rate, EU-23 sentences: ours {100 * (1 - a_eu):.2f}% vs bare {100 * (1 - b_eu):.2f}%"
              f" -> {(1 - b_eu) / max(1e-9, 1 - a_eu):.1f}x fewer errors; accuracy ratio {a_eu / b_eu:.3f}")
    print(f"  sentence throughput: ours {len(sentences) / t_ours:,.0f}/s"
          + ("" if base is None else f", bare {len(sentences) / t_base:,.0f}/s"))

    flores = Path(args.flores) if args.flores else data.parent / "mt/flores200_devtest/multiway_eu24.jsonl.gz"
    if flores.exists():
        print()
        print(f"FLORES-200 devtest, EU-24 incl. Maltese (not used for development): {flores.name}")
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        with gzip.open(flores, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                for lang, text in rec["texts"].items():
                    if lang not in EU_LANGUAGES:
                        continue
                    per[lang][0] += 1
                    per[lang][1] += detector.detect_short(text)[0] == lang
                    if not args.no_baseline:
                        per[lang][2] += bare_detect(factory, text) == lang
        cells = [f"{lang}{'*' if lang in NO_PROFILE else ''} {100 * ok / n:5.1f}" for lang, (n, ok, _) in sorted(per.items())]
        for i in range(0, len(cells), 8):
            print("  " + "   ".join(cells[i:i + 8]))
        n_all = sum(v[0] for v in per.values())
        print(f"  EU-24 ours {100 * sum(v[1] for v in per.values()) / n_all:.1f}%"
              + ("" if args.no_baseline else f"   bare {100 * sum(v[2] for v in per.values()) / n_all:.1f}%")
              + f"   (n={n_all}); EU-22 with a profile ours "
              f"{100 * sum(v[1] for k, v in per.items() if k not in NO_PROFILE) / sum(v[0] for k, v in per.items() if k not in NO_PROFILE):.1f}%")

    # Speed on a typical article.
    article = build_article(3000)
    n_para = article.count("\n") + 1
    fresh = LanguageDetector()
    t0 = time.perf_counter()
    fresh.detect(article)
    t_first = time.perf_counter() - t0
    reps = 200
    t0 = time.perf_counter()
    for _ in range(reps):
        detector.detect(article)
    t_detect = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for _ in range(reps // 4):
        bare_detect(factory, article)
    t_bare = (time.perf_counter() - t0) / (reps // 4)
    t0 = time.perf_counter()
    LanguageDetector()
    t_init = time.perf_counter() - t0
    print()
    print(f"speed, {len(article)}-character article in {n_para} paragraphs:")
    print(f"  LanguageDetector.detect (document + every paragraph): {1000 * t_detect:6.2f} ms/article "
          f"(first call on a fresh instance {1000 * t_first:.1f} ms)")
    print(f"  bare langdetect, one call on the whole text:           {1000 * t_bare:6.2f} ms/article")
    print(f"  LanguageDetector() construction: {1000 * t_init:.0f} ms (once per process)")

    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as fh:
            for r, p in zip(sentences, ours):
                if p != r["lang"] and dev(r):
                    fh.write(f"{r['lang']}\t{p}\t{r['text']}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
