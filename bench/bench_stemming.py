"""Search with word forms against search as written: recall and precision of every inflected form of a set of
hand-picked words in English, Spanish, Italian, German, Greek and French, on FLORES-200 devtest.

    python bench/bench_stemming.py [--flores ../shared/evaldata/mt/flores200_devtest] [--db /tmp/stemming.db]

The corpus: the 1,012 devtest sentences of each of es, it, de, el, fr as articles in that language, each with
its English reference as the translation (text_en), stored through a Corpus connection (so the index and the
vocabulary of stems are filled by the triggers, as a crawl fills them). The query set (LEMMAS below, written
for this bench by reading FLORES's frequent words): per language, words with the forms that count as the
same word (singular and plural, gender, case; not derivations: "generally" is not "general", "stated" is not
"state", "children" is "child"). Every form is a query of its own. An article is relevant to a query when
any of its texts (original or English) has one of the word's forms, whole words compared folded (case and
accents off); the articles the search returns are every match of the query's FTS5 expression (not a top 20).

Three ways of searching: exact (`--exact`, as search worked before stemming), word forms (the default), and
word forms with `--lang` of the query's language (English queries: no filter). Printed per language: queries,
mean relevant articles, micro recall and precision over all queries (summed counts) and the macro (mean per
query) recall; then the queries where word forms lost precision, with what they matched.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from integration_watch.corpus import Corpus, fold  # noqa: E402
from integration_watch.search import compile_query  # noqa: E402

LANGS = ("es", "it", "de", "el", "fr")
# language -> words, each the forms that count as that word (its first form is the dictionary form).
LEMMAS: dict[str, list[tuple[str, ...]]] = {
    "en": [
        ("animal", "animals"), ("country", "countries"), ("island", "islands"),
        ("scientist", "scientists"), ("child", "children"), ("state", "states"), ("general",),
        ("plant", "plants", "planted", "planting"), ("discover", "discovers", "discovered", "discovering"),
        ("travel", "travels", "traveled", "travelled", "traveling", "travelling"),
        ("university", "universities"), ("government", "governments"), ("refugee", "refugees"),
    ],
    "es": [
        ("país", "países"), ("animal", "animales"), ("ciudad", "ciudades"),
        ("científico", "científicos", "científica", "científicas"), ("región", "regiones"),
        ("persona", "personas"), ("gobierno", "gobiernos"), ("pequeño", "pequeña", "pequeños", "pequeñas"),
        ("investigación", "investigaciones"), ("viajero", "viajeros", "viajera", "viajeras"),
    ],
    "it": [
        ("persona", "persone"), ("animale", "animali"), ("scienziato", "scienziati", "scienziata", "scienziate"),
        ("regione", "regioni"), ("viaggiatore", "viaggiatori"), ("piccolo", "piccola", "piccoli", "piccole"),
        ("paese", "paesi"), ("studente", "studenti"), ("governo", "governi"),
    ],
    "de": [
        ("mensch", "menschen"), ("land", "länder", "ländern", "landes"), ("insel", "inseln"),
        ("wissenschaftler", "wissenschaftlern", "wissenschaftlers"), ("krankheit", "krankheiten"),
        ("kind", "kinder", "kindern", "kindes"), ("frau", "frauen"), ("straße", "straßen"),
        ("regierung", "regierungen"), ("groß", "große", "großen", "großer", "großes"),
    ],
    "el": [
        ("άνθρωπος", "ανθρώπου", "άνθρωπο", "άνθρωποι", "ανθρώπων", "ανθρώπους"),
        ("χώρα", "χώρας", "χώρες", "χωρών"), ("περιοχή", "περιοχής", "περιοχές", "περιοχών"),
        ("ομάδα", "ομάδας", "ομάδες", "ομάδων"), ("πόλη", "πόλης", "πόλεις", "πόλεων"),
        ("επιστήμονας", "επιστήμονα", "επιστήμονες", "επιστημόνων"),
        ("γυναίκα", "γυναίκας", "γυναίκες", "γυναικών"), ("παιδί", "παιδιού", "παιδιά", "παιδιών"),
    ],
    "fr": [
        ("personne", "personnes"), ("animal", "animaux"), ("région", "régions"),
        ("scientifique", "scientifiques"), ("enfant", "enfants"), ("grand", "grande", "grands", "grandes"),
        ("voyageur", "voyageurs", "voyageuse", "voyageuses"), ("gouvernement", "gouvernements"),
    ],
}
WORD = re.compile(r"[^\W_]+")


def build(db: Path, flores: Path) -> None:
    with Corpus(db) as corpus, corpus.transaction() as c:
        c.execute("INSERT INTO sources(name, first_seen) VALUES ('flores', '2026-01-01')")
        for lang in LANGS:
            for line in (flores / f"{lang}-en.jsonl").read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                url = f"https://flores.example/{lang}/{row['id']}"
                c.execute(
                    "INSERT INTO articles(source, url, fetched_url, text, lang, text_hash, first_fetched, last_fetched,"
                    " updated, text_en, translation_status) VALUES ('flores', ?, ?, ?, ?, ?, 'd', 'd', 'd', ?,"
                    " 'translated')", (url, url, row["src"], lang, url, row["ref"]))


def matches(corpus: Corpus, query: str, *, lang: str | None, exact: bool) -> set[int]:
    q = compile_query(corpus, query, lang=lang, exact=exact)
    sql = "SELECT a.id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ?"
    args: list[str] = [q.fts]
    if lang:
        sql += " AND a.lang = ?"
        args.append(lang)
    return {row[0] for row in corpus.conn.execute(sql, args)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flores", type=Path, default=REPO.parent / "shared/evaldata/mt/flores200_devtest")
    parser.add_argument("--db", type=Path, default=None, help="where to build the corpus (default: a temporary file)")
    parser.add_argument("--show", type=int, default=3, help="queries that lost precision to list per language")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "stemming.db"
        db.unlink(missing_ok=True)
        build(db, args.flores)
        corpus = Corpus(db, readonly=True)
        words = {row[0]: {fold(w) for w in WORD.findall(f"{row[1]} {row[2] or ''}".lower())}
                 for row in corpus.conn.execute("SELECT id, text, text_en FROM articles")}
        print(f"corpus: {len(words):,} articles ({', '.join(LANGS)}: FLORES devtest, English reference as text_en); "
              f"vocabulary: {corpus.conn.execute('SELECT count(*) FROM word_stems').fetchone()[0]:,} forms")
        print("| language | queries | relevant (mean) | recall exact | recall forms | recall forms + --lang | "
              "precision exact | precision forms | precision forms + --lang | macro recall exact / forms |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        losses: list[str] = []
        for lang, lemmas in LEMMAS.items():
            filt = None if lang == "en" else lang
            sums = {k: [0, 0, 0] for k in ("exact", "forms", "lang")}  # true positives, retrieved, relevant
            macro = {"exact": [], "forms": []}
            queries = 0
            for lemma in lemmas:
                forms = {fold(f) for f in lemma}
                relevant = {i for i, ws in words.items() if ws & forms}
                if filt:
                    relevant_in_lang = {i for i in relevant if corpus.conn.execute(
                        "SELECT lang FROM articles WHERE id = ?", (i,)).fetchone()[0] == filt}
                for form in lemma:
                    queries += 1
                    for key, got, rel in (
                        ("exact", matches(corpus, form, lang=None, exact=True), relevant),
                        ("forms", matches(corpus, form, lang=None, exact=False), relevant),
                        ("lang", matches(corpus, form, lang=filt, exact=False), relevant_in_lang if filt else relevant),
                    ):
                        hit = len(got & rel)
                        sums[key][0] += hit
                        sums[key][1] += len(got)
                        sums[key][2] += len(rel)
                        if key in macro:
                            macro[key].append(hit / len(rel) if rel else 1.0)
                        if key == "forms" and len(got - rel) > 0:
                            wrong = sorted({w for i in got - rel for w in words[i]
                                            if w[:3] == fold(form)[:3]})[:6]
                            losses.append(f"{lang} {form!r}: {len(got - rel)} of {len(got)} not relevant "
                                          f"(their words: {', '.join(wrong)})")
            def ratio(a: int, b: int) -> str:
                return f"{a / b:.3f}" if b else "-"
            mean_relevant = sums["exact"][2] / queries
            print(f"| {lang} | {queries} | {mean_relevant:,.0f} | {ratio(sums['exact'][0], sums['exact'][2])} | "
                  f"{ratio(sums['forms'][0], sums['forms'][2])} | {ratio(sums['lang'][0], sums['lang'][2])} | "
                  f"{ratio(sums['exact'][0], sums['exact'][1])} | {ratio(sums['forms'][0], sums['forms'][1])} | "
                  f"{ratio(sums['lang'][0], sums['lang'][1])} | "
                  f"{sum(macro['exact']) / len(macro['exact']):.3f} / {sum(macro['forms']) / len(macro['forms']):.3f} |")
        print("\nqueries where word forms matched articles without the word (precision lost):")
        for line in losses:
            print("  " + line)
        corpus.close()


if __name__ == "__main__":
    main()
