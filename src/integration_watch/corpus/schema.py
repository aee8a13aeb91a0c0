"""The corpus's schema: each migration moves it one version up; PRAGMA user_version says how many have run."""

from __future__ import annotations

import sqlite3

# Each entry moves the schema one version up; PRAGMA user_version says how many have run.
# Later stages (translation, stories) add their tables and columns as new entries, never by editing old ones.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        last_crawled TEXT
    );
    CREATE TABLE pages (
        url TEXT PRIMARY KEY,              -- normalised
        source TEXT NOT NULL REFERENCES sources(name),
        role TEXT NOT NULL,                -- article | listing | feed | sitemap
        state TEXT NOT NULL,               -- queued | stored | not_article | error
        depth INTEGER NOT NULL DEFAULT 0,
        lastmod TEXT,                      -- as a feed or sitemap announced it
        http_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,                 -- sha256 of the body last processed
        final_url TEXT,
        reason TEXT,                       -- why a page is not an article
        error TEXT,
        article_id INTEGER REFERENCES articles(id),
        fetch_count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_fetched TEXT,
        last_changed TEXT
    );
    CREATE INDEX pages_source_state ON pages(source, state);
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL REFERENCES sources(name),
        url TEXT NOT NULL UNIQUE,          -- the article's identity: canonical URL when the page declares one in scope
        fetched_url TEXT NOT NULL,
        title TEXT,
        text TEXT NOT NULL,
        lang TEXT,
        lang_confidence REAL,
        languages TEXT NOT NULL DEFAULT '[]',        -- JSON: distinct paragraph languages, largest share first
        paragraph_langs TEXT NOT NULL DEFAULT '[]',  -- JSON: [[paragraph index, lang], ...]
        published TEXT,
        author TEXT,
        description TEXT,
        sitename TEXT,
        page_lang TEXT,
        text_hash TEXT NOT NULL,
        first_fetched TEXT NOT NULL,
        last_fetched TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_lang ON articles(lang);
    CREATE INDEX articles_published ON articles(published);
    -- Accent- and case-folded copies of title and text (see fold()); rowid = articles.id.
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL,              -- running | ok | failed | interrupted
        sources TEXT NOT NULL,             -- JSON list
        summary TEXT                       -- JSON: per-source counts and failures
    );
    """,
    # 2: English translations beside the originals, the translation memory, and an index over both.
    """
    ALTER TABLE articles ADD COLUMN title_en TEXT;
    ALTER TABLE articles ADD COLUMN text_en TEXT;               -- paragraph-aligned with text; blank where not translatable
    ALTER TABLE articles ADD COLUMN translation_status TEXT;    -- translated | english | pending | failed; NULL: not yet tried
    ALTER TABLE articles ADD COLUMN translation_engine TEXT;    -- engine, pair and version, '; '-separated if several
    ALTER TABLE articles ADD COLUMN translation_note TEXT;      -- error, or what was left out
    ALTER TABLE articles ADD COLUMN translation_waiting TEXT;   -- languages with no engine yet, space-separated
    ALTER TABLE articles ADD COLUMN translated TEXT;            -- when
    CREATE INDEX articles_translation_status ON articles(translation_status);
    CREATE TABLE translation_memory (
        engine TEXT NOT NULL,
        lang TEXT NOT NULL,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        PRIMARY KEY (engine, lang, source)
    ) WITHOUT ROWID;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, title_en, text_en, tokenize = 'unicode61 remove_diacritics 2');
    INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        SELECT id, fold(coalesce(title, '')), fold(text), '', '' FROM articles;
    """,
    # 3: the index laid out as sqlite-utils' enable-fts makes it (external content on articles, kept in step by
    # triggers), so Datasette finds it and offers a search box, and the text is no longer stored twice. The
    # triggers index fold()ed copies (see fold()), so only connections that define fold() can write articles.
    # FTS5's 'rebuild' would index the unfolded text (Greek accents would stop matching): never use it.
    """
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, title_en, text_en, content=[articles], tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        VALUES (new.id, fold(new.title), fold(new.text), fold(new.title_en), fold(new.text_en));
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text, title_en, text_en)
        VALUES ('delete', old.id, fold(old.title), fold(old.text), fold(old.title_en), fold(old.text_en));
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text, title_en, text_en ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text, title_en, text_en)
        VALUES ('delete', old.id, fold(old.title), fold(old.text), fold(old.title_en), fold(old.text_en));
        INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        VALUES (new.id, fold(new.title), fold(new.text), fold(new.title_en), fold(new.text_en));
    END;
    INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        SELECT id, fold(title), fold(text), fold(title_en), fold(text_en) FROM articles;
    """,
    # 4: stories. Every article belongs to one; the MinHash signature it was compared by is kept.
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL               -- last time an article joined or the story absorbed another
    );
    ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id);
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_text_hash ON articles(text_hash);
    CREATE TABLE article_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        day INTEGER NOT NULL,               -- days since 1970-01-01: publication date, else first sighting
        language TEXT NOT NULL,             -- 'en' (original or translation), or the original language
        signature BLOB NOT NULL             -- 128 little-endian uint32 MinHash values
    );
    CREATE INDEX article_signatures_day ON article_signatures(day);
    -- The thresholds the stories were built with (sources.toml [defaults], written by crawl and recluster).
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 5: search filters read from a narrow index instead of the wide article rows (one page read per match
    # otherwise; search names it with INDEXED BY): a word with a date filter at 1M articles, 67 -> 33 ms.
    """
    CREATE INDEX articles_filters ON articles(id, published, lang, source);
    """,
    # 6: the language an article was written in, beside its signature: pairs written in one language need
    # the higher duplicate similarity, which lets the window drop far more candidates before the exact check.
    """
    ALTER TABLE article_signatures ADD COLUMN original TEXT;
    """,
    # 7: re-index an article only when an indexed column really changed: recording "already English" (the
    # same NULLs written again) re-folded and re-indexed every article's text, 4 s for 2,000 articles.
    """
    DROP TRIGGER articles_au;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text, title_en, text_en ON articles
    WHEN old.title IS NOT new.title OR old.text IS NOT new.text
         OR old.title_en IS NOT new.title_en OR old.text_en IS NOT new.text_en
    BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text, title_en, text_en)
        VALUES ('delete', old.id, fold(old.title), fold(old.text), fold(old.title_en), fold(old.text_en));
        INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        VALUES (new.id, fold(new.title), fold(new.text), fold(new.title_en), fold(new.text_en));
    END;
    """,
    # 8: digests. Each delivered digest records the articles it covered, so the next one starts after them
    # (one watermark per set of filters). The corpus gets an identity for the ids of its Atom feeds.
    """
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        key TEXT NOT NULL,                  -- the filters it was made with, e.g. 'lang=it source='
        after_article INTEGER,              -- it covered articles with after_article < id <= through_article
        through_article INTEGER NOT NULL,
        seen_since TEXT,                    -- the first digest of a key: only articles first stored since then
        articles INTEGER NOT NULL,
        stories INTEGER NOT NULL,
        format TEXT NOT NULL,
        destination TEXT                    -- the file written, NULL for standard output
    );
    CREATE INDEX digests_key ON digests(key, id);
    INSERT OR IGNORE INTO settings(key, value) VALUES ('corpus_id', lower(hex(randomblob(16))));
    """,
    # 9: event-level stories. The stems each article was judged by and how many articles have each stem (the
    # corpus's own document frequencies, kept as articles are judged), and which members of a story are
    # copies of each other rather than separate write-ups. The signatures go: the next run judges every
    # article again (counting its stems), and write-ups of one event join their stories.
    """
    DELETE FROM article_signatures;
    CREATE TABLE article_stems (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        stems TEXT NOT NULL                 -- the distinct stems, space-separated
    );
    CREATE TABLE stem_frequencies (
        stem TEXT PRIMARY KEY,
        documents INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE article_copies (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        copy_of INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (article_id, copy_of)
    ) WITHOUT ROWID;
    CREATE INDEX article_copies_of ON article_copies(copy_of);
    """,
    # 10: word forms for search. Every indexed word of a language that has a Snowball stemmer, under its stem and
    # the language it was stemmed as (the original in the article's language, the English in English, Greek
    # script as Greek; see stemming.py), so a search for
    # "refugee" can ask the index for "refugees" too. Only ever added to: a form no article uses any more
    # costs the index one look-up. Filled here from every stored article in this one transaction (a
    # killed upgrade leaves version 9 and runs again whole), then kept by triggers calling stem_vocabulary().
    # Running it again changes nothing (IF NOT EXISTS, OR IGNORE).
    """
    CREATE TABLE IF NOT EXISTS word_stems (
        stem TEXT NOT NULL, lang TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (stem, lang, word)
    ) WITHOUT ROWID;
    CREATE TRIGGER IF NOT EXISTS articles_stems_ai AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO word_stems(stem, lang, word)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
        FROM json_each(stem_vocabulary(new.lang, new.title, new.text, new.title_en, new.text_en));
    END;
    CREATE TRIGGER IF NOT EXISTS articles_stems_au AFTER UPDATE OF lang, title, text, title_en, text_en ON articles
    WHEN old.lang IS NOT new.lang OR old.title IS NOT new.title OR old.text IS NOT new.text
         OR old.title_en IS NOT new.title_en OR old.text_en IS NOT new.text_en
    BEGIN
        INSERT OR IGNORE INTO word_stems(stem, lang, word)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
        FROM json_each(stem_vocabulary(
            new.lang,
            CASE WHEN old.lang IS NOT new.lang OR old.title IS NOT new.title THEN new.title END,
            CASE WHEN old.lang IS NOT new.lang OR old.text IS NOT new.text THEN new.text END,
            CASE WHEN old.title_en IS NOT new.title_en THEN new.title_en END,
            CASE WHEN old.text_en IS NOT new.text_en THEN new.text_en END));
    END;
    INSERT OR IGNORE INTO word_stems(stem, lang, word)
        SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]'), json_extract(p.value, '$[2]')
        FROM articles a, json_each(stem_vocabulary(a.lang, a.title, a.text, a.title_en, a.text_en)) p;
    """,
)


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Run the migrations after `version`, each with its version bump in one transaction."""
    try:
        for number, script in enumerate(MIGRATIONS[version:], version + 1):
            # executescript commits first; the migration and its version bump then commit together.
            conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    except sqlite3.DatabaseError:
        conn.rollback()
        raise
