"""Our robots.txt decisions against the published cases of a reference suite.

The cases below restate, in our own words and with our own names, what Google's robots.txt parser tests
(robots_test.cc in its open-source robotstxt library) assert about RFC 9309: line syntax, groups, agent
matching, longest match, encoding, `*` and `$`, comments, line endings, the byte-order mark, Sitemap lines.
Each row is (robots.txt, crawler product token, path, allowed). `GOOGLE_ONLY` lists where we differ on
purpose and why; README's Crawl section and the issue note list them too.
"""

from __future__ import annotations

import pytest

from integration_watch import robots

Case = tuple[str, str, str, bool]

GROUPS = (
    "allow: /shelf/box/\n\nuser-agent: PaperBot\ndisallow: /\nallow: /a/\nuser-agent: InkBot\ndisallow: /\n"
    "allow: /b/\n\n\nallow: /c/\nuser-agent: QuillBot\n\nuser-agent: PaperBot\nallow: /d/\ndisallow: /\n"
)
LONG = "/x/" + "y" * 3000  # long lines are read whole (no 8×2083-byte cut, see GOOGLE_ONLY)

CASES: list[Case] = [
    # Line syntax: known names with a colon; unknown names are ignored; a missing colon is tolerated.
    ("user-agent: PaperBot\ndisallow: /\n", "paperbot", "/m/n", False),
    ("whatever: PaperBot\nnothing: /\n", "paperbot", "/m/n", True),
    ("user-agent PaperBot\ndisallow /\n", "paperbot", "/m/n", False),
    # Groups: consecutive user-agent lines share a group, blank lines do not end one, later groups for one
    # agent are merged, rules before any user-agent line belong to nobody.
    (GROUPS, "paperbot", "/a/1", True),
    (GROUPS, "paperbot", "/d/1", True),
    (GROUPS, "paperbot", "/b/1", False),
    (GROUPS, "inkbot", "/b/1", True),
    (GROUPS, "inkbot", "/c/1", True),
    (GROUPS, "inkbot", "/d/1", False),
    (GROUPS, "quillbot", "/d/1", True),
    (GROUPS, "paperbot", "/shelf/box/", False),
    (GROUPS, "inkbot", "/shelf/box/", False),
    (GROUPS, "quillbot", "/shelf/box/", False),
    # Directive names in any case.
    *[(f"{ua}: PaperBot\n{al}: /ok/\n{dis}: /\n", "paperbot", path, allowed)
      for ua, al, dis in (("USER-AGENT", "ALLOW", "DISALLOW"), ("user-agent", "allow", "disallow"),
                          ("UsEr-AgEnT", "aLlOw", "DiSaLlOw"))
      for path, allowed in (("/ok/1", True), ("/no/1", False))],
    # Agent values in any case; a value with a space is read up to the space.
    *[(f"User-Agent: {value}\nAllow: /ok/\nDisallow: /\n", "paper", path, allowed)
      for value in ("PAPER INK", "paper ink", "PaPeR iNk")
      for path, allowed in (("/ok/1", True), ("/no/1", False))],
    ("User-Agent: *\nDisallow: /\nUser-Agent: Paper Ink\nAllow: /ok/\nDisallow: /\n", "paper", "/ok/1", True),
    # No group for us: the * group; no * group: no rules; an empty file: no rules.
    ("", "paperbot", "/m/n", True),
    ("user-agent: *\nallow: /\nuser-agent: PaperBot\ndisallow: /\n", "paperbot", "/m/n", False),
    ("user-agent: *\nallow: /\nuser-agent: PaperBot\ndisallow: /\n", "inkbot", "/m/n", True),
    ("user-agent: PaperBot\nallow: /\nuser-agent: InkBot\ndisallow: /\nuser-agent: QuillBot\ndisallow: /\n",
     "slatebot", "/m/n", True),
    # Paths are case-sensitive.
    ("user-agent: PaperBot\ndisallow: /m/\n", "paperbot", "/m/n", False),
    ("user-agent: PaperBot\ndisallow: /M/\n", "paperbot", "/m/n", True),
    # The longest matching rule wins; on a tie, allow wins.
    ("user-agent: PaperBot\ndisallow: /m/leaf.html\nallow: /m/\n", "paperbot", "/m/leaf.html", False),
    ("user-agent: PaperBot\nallow: /m/leaf.html\ndisallow: /m/\n", "paperbot", "/m/leaf.html", True),
    ("user-agent: PaperBot\nallow: /m/leaf.html\ndisallow: /m/\n", "paperbot", "/m/", False),
    ("user-agent: PaperBot\ndisallow: \nallow: \n", "paperbot", "/m/leaf.html", True),
    ("user-agent: PaperBot\ndisallow: /\nallow: /\n", "paperbot", "/m/leaf.html", True),
    ("user-agent: PaperBot\ndisallow: /m\nallow: /m/\n", "paperbot", "/m", False),
    ("user-agent: PaperBot\ndisallow: /m\nallow: /m/\n", "paperbot", "/m/", True),
    ("user-agent: PaperBot\ndisallow: /m/leaf.html\nallow: /m/leaf.html\n", "paperbot", "/m/leaf.html", True),
    ("user-agent: PaperBot\nallow: /leaf\ndisallow: /*.html\n", "paperbot", "/leaf.html", False),
    ("user-agent: PaperBot\nallow: /leaf\ndisallow: /*.html\n", "paperbot", "/leaf", True),
    ("user-agent: PaperBot\nallow: /m/leaf.\ndisallow: /*.html\n", "paperbot", "/m/leaf.html", True),
    ("user-agent: PaperBot\nallow: /m/leaf.\ndisallow: /*.html\n", "paperbot", "/m/other.html", False),
    ("User-agent: *\nDisallow: /m/\nUser-agent: PaperBot\nDisallow: /n/\n", "paperbot", "/m/leaf", True),
    ("User-agent: *\nDisallow: /m/\nUser-agent: PaperBot\nDisallow: /n/\n", "paperbot", "/n/leaf", False),
    # Encoding: rules and URLs are compared percent-encoded (URLs reach the matcher normalised).
    ("User-agent: PaperBot\nDisallow: /\nAllow: /p/q?r=s&t=http://u.v?w&x\n", "paperbot",
     "/p/q?r=s&t=http://u.v?w&x", True),
    ("User-agent: PaperBot\nDisallow: /\nAllow: /p/q/\u30c4\n", "paperbot", "/p/q/%E3%83%84", True),
    ("User-agent: PaperBot\nDisallow: /\nAllow: /p/q/%E3%83%84\n", "paperbot", "/p/q/%E3%83%84", True),
    ("User-agent: PaperBot\nDisallow: /\nAllow: /p/q/%62%61%7A\n", "paperbot", "/p/q/%62%61%7A", True),
    # Special characters: * any run, $ the end, # a comment.
    ("User-agent: PaperBot\nDisallow: /p/q/zed\nAllow: /p/*/zee\n", "paperbot", "/p/q/zed", False),
    ("User-agent: PaperBot\nDisallow: /p/q/zed\nAllow: /p/*/zee\n", "paperbot", "/p/zed", True),
    ("User-agent: PaperBot\nDisallow: /p/q/zed\nAllow: /p/*/zee\n", "paperbot", "/p//zed", True),
    ("User-agent: PaperBot\nDisallow: /p/q/zed\nAllow: /p/*/zee\n", "paperbot", "/p/r/zed", True),
    ("User-agent: PaperBot\nDisallow: /p/q$\nAllow: /p/q/zed\n", "paperbot", "/p/q", False),
    ("User-agent: PaperBot\nDisallow: /p/q$\nAllow: /p/q/zed\n", "paperbot", "/p/q/zed", True),
    ("User-agent: PaperBot\nDisallow: /p/q$\nAllow: /p/q/zed\n", "paperbot", "/p/q/", True),
    ("User-agent: PaperBot\nDisallow: /p/q$\nAllow: /p/q/zed\n", "paperbot", "/p/q/other", True),
    ("User-agent: PaperBot\n# Disallow: /\nDisallow: /p/zed#note\nAllow: /\n", "paperbot", "/p/q", True),
    ("User-agent: PaperBot\n# Disallow: /\nDisallow: /p/zed#note\nAllow: /\n", "paperbot", "/p/zed", False),
    # Google's documented examples: a plain prefix, a trailing *, a trailing /, *.ext, *.ext$, a * inside.
    *[("user-agent: PaperBot\ndisallow: /\nallow: /koi\n", "paperbot", path, allowed) for path, allowed in (
        ("/carp", False), ("/koi", True), ("/koi.html", True), ("/koi/pond.html", True), ("/koifish", True),
        ("/koifish/pond.html", True), ("/koi.html?id=anything", True), ("/Koi.asp", False), ("/bluekoi", False),
        ("/?id=koi", False))],
    *[("user-agent: PaperBot\ndisallow: /\nallow: /koi*\n", "paperbot", path, allowed) for path, allowed in (
        ("/carp", False), ("/koi", True), ("/koi.html", True), ("/koi/pond.html", True), ("/koifish", True),
        ("/koifish/pond.html", True), ("/koi.html?id=anything", True), ("/Koi.bar", False), ("/bluekoi", False),
        ("/?id=koi", False))],
    *[("user-agent: PaperBot\ndisallow: /\nallow: /koi/\n", "paperbot", path, allowed) for path, allowed in (
        ("/carp", False), ("/koi/", True), ("/koi/pond", True), ("/koi/?pond", True), ("/koi/pond.html", True),
        ("/koi/?id=anything", True), ("/koi", False), ("/koi.html", False), ("/Koi/Pond.html", False))],
    *[("user-agent: PaperBot\ndisallow: /\nallow: /*.cgi\n", "paperbot", path, allowed) for path, allowed in (
        ("/carp", False), ("/script.cgi", True), ("/dir/script.cgi", True), ("/dir/script.cgi?args", True),
        ("//dir/any.cgi.file.html", True), ("/script.cgi/", True), ("/list?f=script.cgi/", True),
        ("/cgi/", False), ("/list?cgi", False), ("/windows.CGI", False))],
    *[("user-agent: PaperBot\ndisallow: /\nallow: /*.cgi$\n", "paperbot", path, allowed) for path, allowed in (
        ("/carp", False), ("/script.cgi", True), ("/dir/script.cgi", True), ("/script.cgi?args", False),
        ("/script.cgi/", False), ("/script.cgi5", False), ("/cgi/", False), ("/script?cgi", False),
        ("/aaacgiaaa", False), ("//windows.CGI", False))],
    *[("user-agent: PaperBot\ndisallow: /\nallow: /koi*.cgi\n", "paperbot", path, allowed) for path, allowed in (
        ("/carp", False), ("/koi.cgi", True), ("/koiheads/bluekoi.cgi?args", True), ("/Koi.CGI", False))],
    # Order of precedence examples.
    ("user-agent: PaperBot\nallow: /l\ndisallow: /\n", "paperbot", "/leaf", True),
    ("user-agent: PaperBot\nallow: /dir\ndisallow: /dir\n", "paperbot", "/dir/leaf", True),
    ("user-agent: PaperBot\nallow: /leaf\ndisallow: /*.htm\n", "paperbot", "/leaf.htm", False),
    ("user-agent: PaperBot\nallow: /$\ndisallow: /\n", "paperbot", "/", True),
    ("user-agent: PaperBot\nallow: /$\ndisallow: /\n", "paperbot", "/leaf.html", False),
    # index.html allowed means its directory is allowed (Google's reading, which Protego shares).
    ("User-Agent: *\nAllow: /open/index.html\nDisallow: /\n", "paperbot", "/open/", True),
    ("User-Agent: *\nAllow: /open/index.html\nDisallow: /\n", "paperbot", "/open/index.htm", False),
    ("User-Agent: *\nAllow: /open/index.html\nDisallow: /\n", "paperbot", "/open/index.html", True),
    ("User-Agent: *\nAllow: /open/index.html\nDisallow: /\n", "paperbot", "/elsewhere", False),
    # Line endings: \n, \r\n, \r, mixed, none at the end.
    *[(f"User-Agent: ink{eol}Allow: /some/path{eol}User-Agent: PaperBot{eol}{eol}{eol}Disallow: /", "paperbot",
       "/m", False) for eol in ("\n", "\r\n", "\r")],
    ("User-Agent: ink\nAllow: /some/path\r\nUser-Agent: PaperBot\n\r\n\nDisallow: /", "paperbot", "/m", False),
    # Long lines are read whole.
    (f"user-agent: PaperBot\ndisallow: {LONG}/zed\n", "paperbot", "/fux", True),
    (f"user-agent: PaperBot\ndisallow: {LONG}/zed\n", "paperbot", f"{LONG}/zed", False),
]


@pytest.mark.parametrize(("robots_txt", "token", "path", "allowed"), CASES)
def test_agrees_with_the_reference_suite(robots_txt: str, token: str, path: str, allowed: bool) -> None:
    assert robots.parse(robots_txt.encode()).allows("http://site.example" + path, token) is allowed


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b"\xef\xbb", b"\xef"])
def test_a_whole_or_partial_byte_order_mark_is_skipped(bom: bytes) -> None:
    rules = robots.parse(bom + b"User-Agent: paperbot\nDisallow: /m/\n")
    assert not rules.allows("http://site.example/m/n", "paperbot")


def test_a_broken_byte_order_mark_spoils_only_the_first_line() -> None:
    rules = robots.parse(b"\xef\x11\xbfUser-Agent: paperbot\nDisallow: /m/\n")
    assert rules.allows("http://site.example/m/n", "paperbot")  # the rule has no user-agent line before it


@pytest.mark.parametrize("where", ["first", "last"])
def test_sitemap_lines_anywhere_in_the_file(where: str) -> None:
    groups = "User-Agent: ink\nAllow: /some/path\nUser-Agent: paper\n\n\n"
    line = "Sitemap: http://site.example/sitemap.xml\n"
    body = line + groups if where == "first" else groups + line
    assert robots.parse(body.encode()).sitemaps == ("http://site.example/sitemap.xml",)


# Where we differ from Google's parser, on purpose. (robots.txt, token, path, what we decide, why.)
GOOGLE_ONLY: list[tuple[str, str, str, bool, str]] = [
    (f"user-agent: PaperBot\ndisallow: /x/{'a' * 16_700}/qux\n", "paperbot", f"/x/{'a' * 16_700}/fux", True,
     "Google cuts lines at 8×2083 bytes, so a longer rule matches by its first 16,664 bytes; we read it whole"),
    ("User-agent: PaperBot\nDisallow: /\nAllow: /p/q/%62%61%7A\n", "paperbot", "/p/q/baz", True,
     "%62%61%7A is 'baz' (unreserved characters, RFC 3986 §2.3); Google compares the escapes literally"),
    ("User-agent: PaperBot\nDisallow: /\nAllow: /p/q/\u30c4\n", "paperbot", "/p/q/\u30c4", True,
     "we percent-encode the URL before matching; Google leaves that to its caller and refuses the raw form"),
]


@pytest.mark.parametrize(("robots_txt", "token", "path", "ours", "why"), GOOGLE_ONLY,
                         ids=[w.split(",")[0][:40] for *_, w in GOOGLE_ONLY])
def test_google_only_differences_are_the_listed_ones(robots_txt: str, token: str, path: str, ours: bool,
                                                      why: str) -> None:
    assert robots.parse(robots_txt.encode()).allows("http://site.example" + path, token) is ours, why


def test_our_product_token_comes_from_the_user_agent() -> None:
    assert robots.product_token("integration-watch/0.1 (+https://example.org)") == "integration-watch"
    assert robots.product_token("IW_Test") == "iw_test"
