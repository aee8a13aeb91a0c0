"""Translation stage: argos overhead against bare CTranslate2, Apertium quality and speed against Apertium
called directly, and what the translation memory saves.

    python bench/bench_translate.py [--sentences 300] [--flores ../shared/evaldata/mt/flores200_devtest]
        [--parts argos,apertium,memory,server] [--langs es,it,fr,pt]

argos: a generated argos package of the standard argos size (Transformer base, int8; random weights, since
no real model can be downloaded here; see tests/argos_package.py) translates FLORES Greek sentences stored as
articles, through `translate_articles` (splitting, memory look-ups, batching, SQLite), against
`ctranslate2.Translator.translate_batch` on the same pre-tokenized sentences with the same decoding options.
Best of two rounds each, alternating. Goal: ratio >= 0.9.

apertium: per language (es direct; it, fr, pt through Spanish), the 1,012 FLORES devtest sentences, stored as
articles (one document per FLORES document, one sentence per paragraph), through the stage and the route it
chooses; chrF2 and BLEU (sacrebleu) against the English references, beside the same pairs piped by hand
(`apertium -u ita-spa | apertium -u spa-eng`) on the same sentences; speed the best of three alternating rounds.
Goals: chrF2 within 0.3 of the hand pipe, speed >= 0.9x.

server: the LibreTranslate-API engine against the tests' stand-in server on 127.0.0.1: 10,000 sentences
batched (50 per request) against one sentence per request (on 1,000), every answer checked to be its own
sentence's. Goals: >= 10x, nothing lost or misaligned.

memory: the bundled fixture sites crawled and translated (Apertium for Spanish, generated tiny argos models
for the other languages), then the same sites with one sentence added to every article re-crawled with
--refresh: the share of sentence translations answered by the memory or by deduplication each time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from argos_package import build_argos_package  # noqa: E402

from integration_watch.config import load_config  # noqa: E402
from integration_watch.corpus import ArticleRecord, Corpus  # noqa: E402
from integration_watch.crawl import crawl  # noqa: E402
from integration_watch.engines import ArgosEngine  # noqa: E402
from integration_watch.models import install_argos_file  # noqa: E402
from integration_watch.routes import Engines  # noqa: E402
from integration_watch.fixtures import FixtureSites  # noqa: E402
from integration_watch.translate import split_sentences, translate_articles, translate_pending  # noqa: E402


def load_flores(flores: Path, lang: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (flores / f"{lang}-en.jsonl").read_text().splitlines()]


def store_documents(corpus: Corpus, lang: str, documents: list[list[str]]) -> list[int]:
    """Each document an article, each sentence a paragraph."""
    corpus.pages.start_run(["bench"])
    ids = []
    for n, paragraphs in enumerate(documents):
        url = f"https://bench.example/{lang}/{n}"
        text = "\n".join(paragraphs)
        record = ArticleRecord(
            url=url, fetched_url=url, title=None, text=text, lang=lang, lang_confidence=1.0, languages=(lang,),
            paragraph_langs=tuple((i, lang) for i in range(len(paragraphs))), published=None, author=None,
            description=None, sitename=None, page_lang=None,
        )
        article_id, _ = corpus.pages.record_fetch(
            source="bench", url=url, role="article", depth=0, state="stored", http_status=200, content_hash=url,
            article=record,
        )
        assert article_id is not None
        ids.append(article_id)
    return ids


def reset_translations(corpus: Corpus) -> None:
    with corpus.transaction() as c:
        c.execute("DELETE FROM translation_memory")
        c.execute("UPDATE articles SET translation_status = NULL, text_en = NULL, title_en = NULL")


# --- argos ------------------------------------------------------------------------------------------------


def bench_argos(flores: Path, n: int, tmp: Path) -> dict[str, object]:
    import ctranslate2

    started = time.perf_counter()
    package_file = build_argos_package(tmp / "pkg", from_code="el", to_code="en", size="standard", seed=0)
    build_s = time.perf_counter() - started
    models = tmp / "models"
    install_argos_file(package_file, models)
    rows = load_flores(flores, "el")[:n]
    documents = [[r["src"] for r in rows[i:i + 10]] for i in range(0, len(rows), 10)]
    sentences = [s for doc in documents for p in doc for s in split_sentences(p, "el")]

    engines = Engines(models, apertium=())
    engine = engines.for_language("el")
    assert isinstance(engine, ArgosEngine)
    engine.translate(sentences[:4])  # loads the model: once per process, not part of either figure
    tokenizer = engine.package.tokenizer
    tokens = [tokenizer.encode(s) for s in sentences]
    direct = ctranslate2.Translator(
        str(Path(engine.package.package_path) / "model"), device="cpu", inter_threads=1, intra_threads=engine.threads
    )
    options = dict(
        max_batch_size=ArgosEngine.BATCH_SENTENCES, beam_size=ArgosEngine.BEAM_SIZE,
        length_penalty=ArgosEngine.LENGTH_PENALTY, replace_unknowns=True,
    )

    def run_direct() -> float:
        t = time.perf_counter()
        for start in range(0, len(tokens), 32 * 10):  # the stage's chunks hold ~32 articles; same work either way
            chunk = tokens[start:start + 320]
            direct.translate_batch(chunk, max_decoding_length=2 * max(map(len, chunk)) + 16, **options)
        return time.perf_counter() - t

    with Corpus(tmp / "argos.db") as corpus:
        ids = store_documents(corpus, "el", documents)

        def run_ours() -> float:
            reset_translations(corpus)
            t = time.perf_counter()
            report = translate_articles(corpus, engines, ids)
            elapsed = time.perf_counter() - t
            assert report.engine_sentences == len(set(sentences)), (report.engine_sentences, len(set(sentences)))
            return elapsed

        direct_times, our_times = [], []
        for _ in range(2):
            direct_times.append(run_direct())
            our_times.append(run_ours())
    engines.close()
    distinct = len(set(sentences))
    direct_rate = len(sentences) / min(direct_times)
    our_rate = distinct / min(our_times)
    return {
        "sentences": len(sentences), "distinct": distinct, "package_build_s": round(build_s, 1),
        "package_mb": round(package_file.stat().st_size / 1e6, 1),
        "direct_sentences_per_s": round(direct_rate, 1), "ours_sentences_per_s": round(our_rate, 1),
        "ratio": round(our_rate / direct_rate, 3),
    }


# --- apertium ---------------------------------------------------------------------------------------------


ROUTES = {"es": ["spa-eng"], "it": ["ita-spa", "spa-eng"], "fr": ["fr-es", "spa-eng"], "pt": ["pt-es", "spa-eng"]}


def _by_hand(modes: list[str], sources: list[str], unknown_marks: bool = False) -> tuple[list[str], float]:
    """The sentences piped through `apertium -u A | apertium -u B` by a shell, as the issue measured them."""
    flag = "" if unknown_marks else "-u "
    command = " | ".join(f"apertium {flag}{m}" for m in modes)
    t = time.perf_counter()
    out = subprocess.run(command, shell=True, input="\n".join(sources) + "\n", capture_output=True, text=True,
                         check=True).stdout.split("\n")[: len(sources)]
    return out, time.perf_counter() - t


def bench_apertium(flores: Path, tmp: Path, lang: str, rounds: int = 3) -> dict[str, object]:
    """One language's FLORES devtest through the stage's chosen route against the same pairs piped by hand;
    the best of `rounds` alternating rounds for speed (the memory is emptied before each round of the stage)."""
    import sacrebleu

    rows = load_flores(flores, lang)
    documents: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        documents.setdefault(r.get("doc_id") or str(i), []).append(i)
    order = [i for doc in documents.values() for i in doc]
    refs = [rows[i]["ref"] for i in order]
    sources = [rows[i]["src"] for i in order]
    chars = sum(map(len, sources))
    modes = ROUTES[lang]

    with Corpus(tmp / f"apertium-{lang}.db") as corpus:
        ids = store_documents(corpus, lang, [[rows[i]["src"] for i in doc] for doc in documents.values()])
        engines = Engines(tmp / "no-models", apertium=modes)
        route = engines.routes(lang)[0].name
        hand_times, our_times = [], []
        for _ in range(rounds):
            hand, seconds = _by_hand(modes, sources)
            hand_times.append(seconds)
            reset_translations(corpus)
            t = time.perf_counter()
            report = translate_articles(corpus, engines, ids)
            our_times.append(time.perf_counter() - t)
        ours: list[str] = []
        for article_id in ids:
            article = corpus.articles.article(article_id)
            assert article is not None and article["translation_status"] == "translated", article
            ours.extend(article["text_en"].split("\n"))
    assert len(ours) == len(refs)
    ours_chrf = sacrebleu.corpus_chrf(ours, [refs]).score
    hand_chrf = sacrebleu.corpus_chrf(hand, [refs]).score
    result: dict[str, object] = {
        "route": route, "sentences": len(sources), "characters": chars, "engine_sentences": report.engine_sentences,
        "ours_chrf2": round(ours_chrf, 2), "by_hand_chrf2": round(hand_chrf, 2),
        "chrf2_difference": round(ours_chrf - hand_chrf, 2),
        "ours_bleu": round(sacrebleu.corpus_bleu(ours, [refs]).score, 2),
        "ours_chars_per_s": round(chars / min(our_times)), "by_hand_chars_per_s": round(chars / min(hand_times)),
        "speed_ratio": round(min(hand_times) / min(our_times), 3),
        "untranslated_floor_chrf2": round(sacrebleu.corpus_chrf(sources, [refs]).score, 2),
    }
    if lang == "es":
        marked, seconds = _by_hand(modes, sources, unknown_marks=True)
        result["by_hand_with_unknown_marks_chrf2"] = round(sacrebleu.corpus_chrf(marked, [refs]).score, 2)
    return result


# --- a LibreTranslate-API server ----------------------------------------------------------------------------


def bench_server(tmp: Path, n: int = 10_000) -> dict[str, object]:
    """The server engine against the test suite's LibreTranslate stand-in on 127.0.0.1 (LibreTranslate's models
    cannot be downloaded here, so the stand-in's "translations" are made up at once: this measures the
    protocol and the stage, not a translation model). n distinct numbered sentences through the stage with
    batches of 50, against 1 sentence per request; every answer is checked to be its own sentence's."""
    from libretranslate_server import LibreTranslateStandIn, fake_translation

    from integration_watch.config import ServerSettings, TranslationSettings

    sentences = [f"Frase numero {i} sulla strategia regionale di integrazione dei migranti." for i in range(n)]
    documents = [sentences[i:i + 20] for i in range(0, n, 20)]
    out: dict[str, object] = {"sentences": n}
    with LibreTranslateStandIn() as server, Corpus(tmp / "server.db") as corpus:
        ids = store_documents(corpus, "it", documents)
        for label, batch, count in (("batched_50", 50, n), ("one_per_request", 1, n // 10)):
            reset_translations(corpus)
            settings = TranslationSettings(server=ServerSettings(server.url, batch=batch))
            engines = Engines(tmp / "no-models", settings=settings, apertium=())
            requests_before = server.behaviour.requests
            t = time.perf_counter()
            report = translate_articles(corpus, engines, ids[: count // 20])
            seconds = time.perf_counter() - t
            engines.close()
            wrong = 0
            for doc, article_id in zip(documents, ids[: count // 20], strict=False):
                article = corpus.articles.article(article_id)
                assert article is not None
                got = (article["text_en"] or "").split("\n")
                wrong += sum(g != fake_translation(s) for g, s in zip(got, doc, strict=True))
            out[label] = {"sentences": report.engine_sentences, "requests": server.behaviour.requests - requests_before,
                          "sentences_per_s": round(report.engine_sentences / seconds),
                          "lost_or_misaligned": wrong, "translated_articles": report.translated}
    batched = out["batched_50"]["sentences_per_s"]  # type: ignore[index]
    single = out["one_per_request"]["sentences_per_s"]  # type: ignore[index]
    out["speedup"] = round(batched / single, 1)
    return out


# --- memory -----------------------------------------------------------------------------------------------


def bench_memory(tmp: Path) -> dict[str, object]:
    sites_dir = tmp / "sites"
    shutil.copytree(REPO / "fixtures" / "sites", sites_dir)
    models = tmp / "memory-models"
    for lang in ("el", "it", "sv", "de", "fr"):
        install_argos_file(build_argos_package(tmp / f"pkg-{lang}", from_code=lang, to_code="en"), models)
    engines = Engines(models)
    out: dict[str, object] = {}
    with FixtureSites(sites_dir) as sites, Corpus(tmp / "memory.db") as corpus:
        sources = tmp / "sources.toml"
        sources.write_text(sites.render((REPO / "fixtures" / "sources.toml").read_text()))
        config = load_config(sources)
        first = crawl(config, corpus, engines=engines).translation
        assert first is not None
        out["first_crawl"] = _savings(first.sentences, first.engine_sentences)
        again = translate_pending(corpus, engines, retranslate=True)
        out["retranslate_all"] = _savings(again.sentences, again.engine_sentences)
        changed = _add_a_sentence_to_every_article(sites_dir)
        recrawl = crawl(config, corpus, refresh=True, engines=engines).translation
        assert recrawl is not None
        out["recrawl_after_edits"] = {**_savings(recrawl.sentences, recrawl.engine_sentences), "pages_edited": changed}
    engines.close()
    return out


def _savings(sentences: int, engine: int) -> dict[str, object]:
    return {"sentences": sentences, "sent_to_engine": engine,
            "saved_share": round(1 - engine / sentences, 3) if sentences else None}


CORRECTION = {  # one new sentence in each article's own language, as an editor's update would be
    "en": "Update: the figures in this article were corrected on 24 November 2026.",
    "es": "Actualización: las cifras de este artículo se corrigieron el 24 de noviembre de 2026.",
    "it": "Aggiornamento: i dati di questo articolo sono stati corretti il 24 novembre 2026.",
    "sv": "Uppdatering: siffrorna i denna artikel rättades den 24 november 2026.",
    "el": "Ενημέρωση: τα στοιχεία αυτού του άρθρου διορθώθηκαν στις 24 Νοεμβρίου 2026.",
    "de": "Aktualisierung: Die Zahlen in diesem Artikel wurden am 24. November 2026 korrigiert.",
    "fr": "Mise à jour : les chiffres de cet article ont été corrigés le 24 novembre 2026.",
}


def _add_a_sentence_to_every_article(sites_dir: Path) -> int:
    expected = json.loads((REPO / "fixtures" / "expected.json").read_text())
    changed = 0
    for entry in expected:
        path = sites_dir / entry["site"] / entry["path"].lstrip("/")
        if entry["kind"] != "article" or path.suffix == ".pdf" or not path.is_file():
            continue
        html = path.read_text(encoding="utf-8", errors="surrogateescape")
        at = html.find("</p>")
        if at < 0:
            continue
        note = f"<p>{CORRECTION[entry['lang']]}</p>"
        path.write_text(html[:at + 4] + note + html[at + 4:], encoding="utf-8", errors="surrogateescape")
        changed += 1
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--flores", type=Path, default=REPO.parent / "shared" / "evaldata" / "mt" / "flores200_devtest")
    parser.add_argument("--parts", default="argos,apertium,memory,server")
    parser.add_argument("--langs", default="es,it,fr,pt", help="apertium: the languages (routes) to measure")
    parser.add_argument("--rounds", type=int, default=3, help="apertium: alternating timed rounds (best kept)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        if "apertium" in parts:
            for lang in args.langs.split(","):
                results[f"apertium_{lang}"] = bench_apertium(args.flores, tmp, lang, args.rounds)
                print(json.dumps({f"apertium_{lang}": results[f"apertium_{lang}"]}, indent=2), flush=True)
        if "server" in parts:
            results["server"] = bench_server(tmp)
            print(json.dumps({"server": results["server"]}, indent=2), flush=True)
        if "memory" in parts:
            results["memory"] = bench_memory(tmp)
            print(json.dumps({"memory": results["memory"]}, indent=2), flush=True)
        if "argos" in parts:
            results["argos"] = bench_argos(args.flores, args.sentences, tmp)
            print(json.dumps({"argos": results["argos"]}, indent=2), flush=True)


if __name__ == "__main__":
    main()
