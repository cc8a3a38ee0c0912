"""The body keeps the article's own blocks and nothing of the page around it."""

from __future__ import annotations

from archivist.extraction import SourcePage, extract

from .conftest import FILLER, article, page

STRUCTURED = """
<h2>How the money is split</h2>
<table><tr><th>Item</th><th>Amount</th></tr><tr><td>Roads</td><td>4.2 million</td></tr>
<tr><td>Library</td><td>1.1 million</td></tr></table>
<p>The three largest items were:</p>
<ul><li>road repairs on the east side</li><li>a new roof for the library</li>
<li>teacher salaries</li></ul>
<pre><code>total = roads + library
print(total)</code></pre>
"""


def test_table_list_and_code_are_kept() -> None:
    body = page(article(STRUCTURED)).body
    assert "Roads" in body and "4.2 million" in body and "Library" in body
    assert "road repairs on the east side" in body and "teacher salaries" in body
    assert "total = roads + library" in body and "print(total)" in body
    assert "Paragraph 1 ends here." in body


def test_paragraphs_separated_by_blank_line_and_headline_dropped() -> None:
    body = page(article()).body
    paragraphs = body.split("\n\n")
    assert paragraphs[0] == f"{FILLER}Paragraph 1 ends here."
    assert len(paragraphs) == 4
    assert "Budget Vote Delayed" not in body


FURNITURE = """
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this story</a></div>
<div class="pagination"><a href="?page=1">&laquo; previous</a> <a href="?page=1">1</a> | <b>2</b></div>
<div class="newsletter"><h3>Get our morning newsletter</h3><p>Sign up to receive the
  newsletter in your inbox every day.</p><form><input name="email"></form></div>
<div class="related-articles"><h3>More articles in this section</h3><ul>
  <li><a href="/a">Mayor opens new bridge over the river</a></li>
  <li><a href="/b">School board elects new chair for the year</a></li>
  <li><a href="/c">Library extends its opening hours on weekends</a></li></ul></div>
"""


def test_furniture_is_dropped() -> None:
    body = page(article(after=FURNITURE)).body.lower()
    for phrase in ("share on facebook", "previous", "newsletter", "more articles",
                   "mayor opens new bridge", "copyright", "all rights reserved", "home"):
        assert phrase not in body, phrase
    assert "paragraph 4 ends here." in body


def test_comment_text_never_in_body() -> None:
    comments = ('<div class="comment-list"><div class="comment"><span class="author">Kim</span>'
                f"<p>{FILLER}A reader adds a long thought here.</p></div>"
                '<div class="comment"><span class="author">Lou</span>'
                f"<p>{FILLER}Another reader disagrees at length.</p></div></div>")
    result = page(article(comments))
    assert "reader" not in result.body
    assert [c.author for c in result.comments] == ["Kim", "Lou"]


def test_multi_page_body_in_reading_order() -> None:
    def one(n: int) -> SourcePage:
        html = article(f"<p>Closing words of page {n}, long enough to be kept as text in "
                       f"the body of the article by the extractor.</p>")
        return SourcePage(f"https://news.example.com/story?page={n}", html.encode(), None)

    result = extract([one(1), one(2)])
    assert result.body.index("Closing words of page 1") < result.body.index(
        "Closing words of page 2")
    assert result.pages == ("https://news.example.com/story?page=1",
                            "https://news.example.com/story?page=2")


def test_unmarked_more_articles_list_is_dropped() -> None:
    more = ("<h3>More articles in this section</h3><ul>"
            '<li><a href="/a">Mayor opens new bridge over the river</a></li>'
            '<li><a href="/b">School board elects new chair</a></li></ul>'
            "<p>« previous <a href='?p=1'>1</a> | <a href='?p=2'>2</a> | <b>3</b></p>")
    body = page(article(more)).body.lower()
    assert "more articles" not in body
    assert "mayor opens" not in body
    assert "previous" not in body
    assert "paragraph 4 ends here." in body


def test_same_page_under_two_urls_counts_once() -> None:
    html = article().encode()
    result = extract([SourcePage("https://news.example.com/story", html, None),
                      SourcePage("https://news.example.com/story?page=1", html, None)])
    assert result.body.count("Paragraph 1 ends here.") == 1
    assert result.pages == ("https://news.example.com/story",)


def test_read_also_lead_ins_in_other_languages_are_dropped() -> None:
    leads = ['<p>Lesen Sie auch: <a href="/a">Haushalt vertagt</a></p>',
             '<p>À lire aussi : <a href="/b">Budget reporté</a></p>',
             '<p><strong>Leggi anche:</strong> <a href="/c">Bilancio rinviato</a></p>',
             '<p>Lea también: <a href="/d">Presupuesto aplazado</a></p>']
    body = page(article(body="".join(f"<p>{FILLER}Kept {n}.</p>{lead}"
                                     for n, lead in enumerate(leads)))).body
    for gone in ("Haushalt", "Budget reporté", "Bilancio", "Presupuesto"):
        assert gone not in body, gone
    assert "Kept 3." in body


def test_page_x_of_n_lines_in_other_languages_are_dropped() -> None:
    for line in ("Page 2 sur 3", "Pagina 2 di 3", "Pagina 2 van 3", "Strona 2 z 3",
                 "Страница 2 из 3", "Página 2 de 3"):
        body = page(article(f'<p class="page-info">{line}</p>')).body
        assert line not in body and "Paragraph 4 ends here." in body, line
