"""Metadata and body on news pages as sites around the world render them: datelines in
Portuguese ("05/03/2021 10h15"), Arabic-Indic digits, CJK dates, "updated" labels in a dozen
languages, bylines with roles, outlets, handles and labels, organisation and site authors,
kicker + headline titles, Chinese portal titles, template languages, comment sections and
related boxes that date nothing, paywall teasers and "read also" lines in the text."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from archivist.extraction import Extraction, SourcePage, extract

#: Well after the pages' dates: a date read against the time of extraction shows as wrong.
CAPTURED = dt.datetime(2021, 3, 15, 12, 0, tzinfo=dt.UTC)


def _page(lang: str, meta: str, paragraph: str, *, head: str = "", headline: str = "Headline",
          url: str = "https://www.example.org/politica/camara-adia-orcamento",
          captured: dt.datetime | None = CAPTURED) -> Extraction:
    """A news page in ``lang``: the headline, the byline block ``meta``, four paragraphs."""
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{headline} | Jornal</title>{head}</head><body>"
            f'<header class="site-header"><a class="logo" href="/">Jornal</a></header>'
            f"<main><article><h1>{headline}</h1>{meta}{f'<p>{paragraph}</p>' * 4}</article></main>"
            "<footer>© 2021 Jornal</footer></body></html>")
    return extract([SourcePage(url, html.encode("utf-8"), "text/html; charset=utf-8", captured)])


PT = ("A câmara municipal discutiu longamente na terça-feira à noite o novo orçamento para o "
      "próximo ano, as estradas, as escolas e a biblioteca do bairro.")
AR = "ناقش المجلس البلدي مساء الثلاثاء الميزانية الجديدة للعام المقبل والطرق والمدارس والمكتبة."


@pytest.mark.parametrize("written", ["05/03/2021 10h15", "05/03/2021 às 10h15",
                                     "5 de março de 2021 10h15"])
def test_brazilian_dateline_with_an_hour_is_the_written_day(written: str) -> None:
    """dateparser's Portuguese reads "10h15" as "10 horas" ago: the whole line came out as the
    day of extraction, a date the page never wrote."""
    meta = (f'<p class="content-publication-data__from">Por João Silva</p>'
            f'<p class="content-publication-data__date">{written}</p>')
    result = _page("pt-BR", meta, PT)
    assert result.published == "2021-03-05"


@pytest.mark.parametrize(("lang", "written"), [("ar", "٥ مارس ٢٠٢١"), ("fa", "۲۰۲۱-۰۳-۰۵")])
def test_dates_in_arabic_indic_digits(lang: str, written: str) -> None:
    """Arabic and Persian pages write their digits in their own script: a year of four of
    them is a year all the same."""
    meta = f'<div class="byline"><span class="author">محمد علي</span> <span class="date">{written}</span></div>'
    result = _page(lang, meta, AR, url="https://www.example.org/ar/news/12345")
    assert result.published == "2021-03-05"


EN = ("The council met on Tuesday evening to discuss the new budget for the coming year, and "
      "members spoke at length about roads, schools and the state of the public library.")


LEAD = ("The mayor said a vote would be held in April, once the roads department has costed "
        "the repairs that residents of the east side have asked for since the winter storms.")


def _ld(author: object) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Headline",
            "author": author, "publisher": {"@type": "Organization", "name": "Daily Herald"}}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize("author", [
    {"@type": "Organization", "name": "Daily Herald"},
    [{"@type": "NewsMediaOrganization", "name": "Daily Herald"}],
])
def test_organisation_author_gives_way_to_the_person_in_the_byline(author: object) -> None:
    """CMSs declare the publisher as every story's JSON-LD author: the byline names the
    person who wrote it."""
    result = _page("en", '<p class="byline">By Jane Doe</p>', EN, head=_ld(author))
    assert result.authors == ("Jane Doe",)


def test_organisation_author_is_the_author_when_no_person_is_named() -> None:
    result = _page("en", "", EN, head=_ld({"@type": "Organization", "name": "Reuters"}))
    assert result.authors == ("Reuters",)


@pytest.mark.parametrize(("head", "byline"), [
    ('<meta name="author" content="@janedoe">', '<p class="byline">By Jane Doe</p>'),
    ("", '<div class="byline">By Jane Doe <a href="https://twitter.com/janedoe">@janedoe</a></div>'),
])
def test_a_social_handle_is_no_author_name(head: str, byline: str) -> None:
    """Themes fill ``meta name=author`` with the Twitter handle, and bylines link it after the
    name."""
    assert _page("en", byline, EN, head=head).authors == ("Jane Doe",)


def test_microdata_author_named_in_a_meta_tag() -> None:
    meta = ('<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
            '<meta itemprop="name" content="Jane Doe"><img src="/staff/jane.jpg" alt="">'
            '<a href="/staff/jane">Jane Doe</a><p>Jane covers city hall.</p></div>')
    assert _page("en", meta, EN).authors == ("Jane Doe",)


@pytest.mark.parametrize(("lang", "byline"), [
    ("fr", "Par Jean Dupont, envoyé spécial à Lyon"),
    ("fr", "Par Jean Dupont, correspondant à Bruxelles"),
    ("de", "Von Jean Dupont, Korrespondent in Paris"),
    ("de", "Von Jean Dupont, Redakteurin"),
    ("es", "Por Jean Dupont, enviado especial a Lyon"),
    ("es", "Por Jean Dupont, corresponsal en Roma"),
    ("it", "di Jean Dupont, inviato a Kiev"),
    ("pt", "Por Jean Dupont, correspondente em Lisboa"),
])
def test_a_role_after_the_name_in_other_languages_is_no_author(lang: str, byline: str) -> None:
    result = _page(lang, f'<p class="byline">{byline}</p>', PT)
    assert result.authors == ("Jean Dupont",)


@pytest.mark.parametrize(("byline", "authors"), [
    ('<div class="byline">By Jane Doe<br>March 5, 2021</div>', ("Jane Doe",)),
    ('<div class="byline">Jane Doe and John Roe<br>Special to the Herald<br>March 5, 2021</div>',
     ("Jane Doe", "John Roe")),
    ('<div class="byline">By<br><a href="/staff/jane">Jane Doe</a><br>March 5, 2021</div>',
     ("Jane Doe",)),
])
def test_byline_lines_hold_the_names_and_the_date_apart(byline: str, authors: tuple) -> None:
    """A ``<br>`` ends a line of the byline: the date on the next one is no part of the name
    line, nor is the name part of the date."""
    result = _page("en", byline, EN)
    assert (result.authors, result.published) == (authors, "2021-03-05")


@pytest.mark.parametrize("separator", ["·", "•"])
def test_byline_pieces_set_apart_by_a_middle_dot(separator: str) -> None:
    byline = f'<p class="meta">By Jane Doe {separator} March 5, 2021 {separator} 4 min read</p>'
    result = _page("en", byline, EN)
    assert (result.authors, result.published) == (("Jane Doe",), "2021-03-05")


@pytest.mark.parametrize(("lang", "byline"), [
    ("nl", "Door Jan de Vries · 5 maart 2021, 10:15 · Laatste update: 6 maart 2021, 08:00"),
    ("pl", "Autor: Jan de Vries, 5 marca 2021, 10:15. Aktualizacja: 6 marca 2021, 08:00"),
    ("en", "By Jan de Vries | March 5, 2021 | Last update: March 6, 2021"),
])
def test_last_update_label_names_the_modification(lang: str, byline: str) -> None:
    result = _page(lang, f'<p class="meta">{byline}</p>', PT)
    assert (result.authors, result.published, result.modified) == (
        ("Jan de Vries",), "2021-03-05", "2021-03-06")


DE = ("Der Stadtrat hat am Dienstagabend lange über den neuen Haushalt für das kommende Jahr "
      "beraten, über Straßen, Schulen und die Bibliothek im Viertel.")


@pytest.mark.parametrize("heading", [
    '<span class="kicker">Haushaltsstreit</span><span class="title">Stadtrat vertagt Entscheidung</span>',
    "Haushaltsstreit<br>Stadtrat vertagt Entscheidung",
])
def test_kicker_and_headline_in_one_heading(heading: str) -> None:
    """A kicker set in the ``<h1>`` beside the headline is a word apart from it: the title is
    the two as the ``<title>`` writes them, and the title's other part is the site."""
    html = ('<html lang="de"><head><title>Haushaltsstreit: Stadtrat vertagt Entscheidung | '
            f"Stadtanzeiger</title></head><body><article><h1>{heading}</h1>"
            f"{f'<p>{DE}</p>' * 4}</article></body></html>")
    url = "https://www.example.de/politik/haushalt-100.html"
    result = extract([SourcePage(url, html.encode(), "text/html; charset=utf-8", CAPTURED)])
    assert (result.title, result.sitename) == ("Haushaltsstreit: Stadtrat vertagt Entscheidung",
                                               "Stadtanzeiger")
    assert result.body.startswith("Der Stadtrat")


def test_kicker_absent_from_the_title_tag_stays_a_word_apart() -> None:
    html = ('<html lang="de"><head><title>Stadtanzeiger</title></head><body><article><h1>'
            '<span class="kicker">Haushaltsstreit</span><span>Stadtrat vertagt Entscheidung'
            f"</span></h1>{f'<p>{DE}</p>' * 4}</article></body></html>")
    url = "https://www.example.de/politik/haushalt-100.html"
    result = extract([SourcePage(url, html.encode(), "text/html; charset=utf-8", CAPTURED)])
    assert result.title == "Haushaltsstreit Stadtrat vertagt Entscheidung"


@pytest.mark.parametrize(("lang", "byline", "author"), [
    ("de", "Quelle: dpa", "dpa"),
    ("es", "Fuente: EFE", "EFE"),
    ("en", "Source: Reuters", "Reuters"),
    ("ar", "بقلم محمد علي", "محمد علي"),
])
def test_agency_source_labels_and_arabic_by(lang: str, byline: str, author: str) -> None:
    assert _page(lang, f'<p class="author">{byline}</p>', PT).authors == (author,)


@pytest.mark.parametrize(("lang", "klass"), [("es", "autor"), ("fr", "auteur"), ("it", "autore")])
def test_author_class_in_the_page_language(lang: str, klass: str) -> None:
    """The byline block glues the name to the dateline beside it ("María GarcíaMadrid"): the
    element whose class says author in the page's language names the author alone."""
    meta = (f'<div class="byline"><span class="{klass}">María García</span>'
            '<span class="fecha">Madrid, 03/03/2021 - 09:10 CET</span></div>')
    assert _page(lang, meta, PT).authors == ("María García",)


def test_a_two_sentence_article_has_no_site_menu_in_its_body() -> None:
    """trafilatura's fast pass replaces a result under 250 characters by the text of the
    whole page, the site's menus included."""
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            '<body><header class="site-header"><nav><a href="/">Home</a> <a href="/news">News'
            '</a> <a href="/sport">Sport</a></nav></header><main><article><h1>Council delays '
            "budget</h1><p>The council delayed its budget vote on Tuesday. A new vote is set "
            'for April.</p></article></main><footer class="site-footer"><a href="/privacy">'
            "Privacy</a></footer></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.body == ("The council delayed its budget vote on Tuesday. A new vote is set "
                           "for April.")


@pytest.mark.parametrize("teaser", [
    '<div class="paywall-prompt"><h3>Subscribe to continue reading</h3><p>You have reached your '
    "limit of free articles this month.</p><a href=\"/subscribe\">Subscribe</a></div>",
    "<div><p><strong>Subscribe to keep reading.</strong></p><p>You've reached your limit of free "
    "articles. Already a subscriber? Log in</p></div>",
    "<p>Il vous reste 78.5% de cet article à lire. La suite est réservée aux abonnés.</p>",
    "<div><p>Weiterlesen mit Plus</p><p>Jetzt abonnieren</p></div>",
])
def test_paywall_teaser_below_the_lead_is_cut(teaser: str) -> None:
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            f"<body><article><h1>Council delays budget</h1><p>{EN}</p><p>{LEAD}</p>{teaser}"
            "</article></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.body == f"{EN}\n\n{LEAD}"


def test_a_short_comment_section_dates_no_article() -> None:
    """The comment section's own block (``div#comments`` holding one short comment) is no
    byline: its comment's date is not the publication's."""
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            f"<body><main><article><h1>Council delays budget</h1><p>{EN}</p><p>{LEAD}</p>"
            '</article><div id="comments"><div class="comment"><span class="comment-author">'
            'Bob</span> <span class="comment-date">March 10, 2021 at 4:04 pm</span><p>Great '
            "article.</p></div></div></main></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.published is None
    assert [comment.published for comment in result.comments] == ["2021-03-10"]


JA = "市議会は火曜日の夜、来年度の新しい予算について長時間議論し、道路、学校、図書館について話し合った。"


@pytest.mark.parametrize(("lang", "dateline"), [
    ("ja", "2021年3月5日 10時15分 更新：2021年3月6日 8時00分"),
    ("zh-CN", "发布时间：2021年3月5日 10:15 更新时间：2021年3月6日 08:00"),
    ("ko", "입력 2021년 3월 5일 10:15 수정 2021년 3월 6일 08:00"),
])
def test_cjk_datelines_with_an_update(lang: str, dateline: str) -> None:
    result = _page(lang, f'<p class="date">{dateline}</p>', JA)
    assert (result.published, result.modified) == ("2021-03-05", "2021-03-06")


@pytest.mark.parametrize(("lang", "dateline"), [
    ("ru", "Опубликовано: 5 марта 2021, 10:15 Обновлено: 6 марта 2021, 08:00"),
    ("tr", "Yayınlanma: 05.03.2021 10:15 Güncelleme: 06.03.2021 08:00"),
    ("it", "5 marzo 2021 (modifica il 6 marzo 2021 | 08:00)"),
])
def test_updated_labels_in_more_languages(lang: str, dateline: str) -> None:
    result = _page(lang, f'<p class="date">{dateline}</p>', PT)
    assert (result.published, result.modified) == ("2021-03-05", "2021-03-06")


ZH = "市议会周二晚上就明年的新预算进行了长时间的讨论，涉及道路、学校和图书馆。"


@pytest.mark.parametrize("title", ["市议会推迟预算决定_新闻网", "市议会推迟预算决定 _ 新闻网",
                                   "市议会推迟预算决定--新闻网"])
def test_chinese_title_with_its_site_after_an_underscore(title: str) -> None:
    """Chinese portals join headline and site with "_" or "--", without spaces."""
    html = (f'<html lang="zh-CN"><head><title>{title}</title></head><body><div class="main">'
            f'<h1>市议会推迟预算决定</h1>{f"<p>{ZH}</p>" * 4}</div></body></html>')
    result = extract([SourcePage("https://news.example.cn/2021/0305/c1001-12345.html",
                                 html.encode(), "text/html; charset=utf-8", CAPTURED)])
    assert (result.title, result.sitename) == ("市议会推迟预算决定", "新闻网")


@pytest.mark.parametrize(("byline", "authors"), [
    ("By Jane Doe, CNN", ("Jane Doe",)),
    ("By Jane Doe, The Associated Press", ("Jane Doe",)),
    ("BY JANE DOE, ASSOCIATED PRESS", ("Jane Doe",)),
    ("Jane Doe and agencies", ("Jane Doe",)),
    ("Von Max Mustermann, dpa", ("Max Mustermann",)),
    ("Par Jean Dupont avec AFP", ("Jean Dupont",)),
    ("By JANE DOE FOR MAILONLINE", ("Jane Doe",)),
    ("By Jane Doe for the Daily Mail", ("Jane Doe",)),
    ("By Jane Doe in Washington", ("Jane Doe",)),
    ("Par Jean Dupont à Lyon", ("Jean Dupont",)),
    ("By Jane Doe, John Roe and Ann Poe", ("Jane Doe", "John Roe", "Ann Poe")),
    ("By AFP", ("AFP",)),
    ("The Associated Press", ("The Associated Press",)),
])
def test_the_outlet_and_place_after_the_author_are_no_authors(byline: str, authors: tuple) -> None:
    """After a person's name, the outlet they write for ("CNN", "The Associated Press",
    "and agencies", "for MailOnline") and the place they write from ("in Washington") are
    no second author; an agency alone is the author."""
    assert _page("en", f'<p class="byline">{byline}</p>', EN).authors == authors


@pytest.mark.parametrize(("lang", "insert"), [
    ("fr", '<p>» Lire aussi : <a href="/a">Le maire démissionne</a></p>'),
    ("es", '<p><strong>Te puede interesar:</strong> <a href="/a">Dimite el alcalde</a></p>'),
    ("ru", '<p>Читайте также: <a href="/a">Мэр ушел в отставку</a></p>'),
    ("en", '<p><em>Read: <a href="/a">Mayor resigns after long scandal</a></em></p>'),
    ("en", "<p>Story continues below advertisement</p>"),
    ("en", "<p>Continue reading the main story</p><p>Article continues below</p>"),
    ("zh-CN", '<p>相关阅读：<a href="/a">市长辞职</a></p>'),
])
def test_read_also_and_continues_below_lines_in_the_text_are_cut(lang: str, insert: str) -> None:
    paragraphs = [f"{EN} Paragraph {n}." for n in range(1, 5)]
    html = (f'<html lang="{lang}"><head><title>Council delays budget | Daily Herald</title>'
            f"</head><body><main><article><h1>Council delays budget</h1><p>{paragraphs[0]}</p>"
            f"<p>{paragraphs[1]}</p>{insert}<p>{paragraphs[2]}</p><p>{paragraphs[3]}</p>"
            "</article></main></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.body == "\n\n".join(paragraphs)


@pytest.mark.parametrize(("text", "language"), [
    (JA * 2, "ja"),
    (ZH * 2, "zh"),
    ("Городской совет во вторник отложил голосование по бюджету до апреля.", "ru"),
])
def test_a_short_body_in_another_script_overrules_a_template_lang(text: str, language: str) -> None:
    """200 characters of Japanese are a hundred words: a body in another script than the
    declared language's is plainly not in it well before that length."""
    result = _page("en", "", text, url="https://www.example.org/world/story-12345")
    assert result.language == language


@pytest.mark.parametrize(("site", "og_title"), [
    ("The Daily Herald", "Council delays budget vote again - Daily Herald"),
    ("Daily Herald", "Council delays budget vote again | DailyHerald.com"),
    ("Daily Herald", "Council delays budget vote again | The Daily Herald"),
])
def test_og_title_suffix_naming_the_site_a_little_differently(site: str, og_title: str) -> None:
    head = (f'<meta property="og:site_name" content="{site}">'
            f'<meta property="og:title" content="{og_title}">')
    result = _page("en", "", EN, head=head, headline="Council delays budget vote again",
                   url="https://www.dailyherald.com/news/council-budget")
    assert result.title == "Council delays budget vote again"


def test_json_ld_in_language_declares_the_language_and_region() -> None:
    """A page without ``<html lang>`` whose JSON-LD article says ``inLanguage``: its
    numeric dates read in its region's order."""
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Headline",
            "inLanguage": "en-GB"}
    html = (f'<html><head><title>Headline</title><script type="application/ld+json">'
            f"{json.dumps(data)}</script></head><body><article><h1>Headline</h1>"
            '<p class="byline">By Jane Doe, 05/03/2021</p><p>Short.</p></article></body></html>')
    result = extract([SourcePage("https://www.example.co.uk/news/story", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert (result.language, result.published) == ("en", "2021-03-05")


@pytest.mark.parametrize("top", ['<div id="fecha">15/03/2021</div>',
                                 '<div class="wrap"><div class="today">Lunes, 15 de marzo de 2021'
                                 "</div></div>",
                                 "<table><tr><td>16 de marzo de 2021</td></tr></table>"])
def test_a_date_above_the_headline_on_the_capture_day_is_the_sites_today(top: str) -> None:
    """On a flat page, the site header's "today" date sits above the headline like a blog's
    date header: dated the day the page was captured (give or take the site's time zone), it
    is the header's, and a page without another date has none."""
    html = (f'<html lang="es"><head><title>Presupuesto | Diario</title></head><body>{top}'
            f"<h1>El consejo aplaza el presupuesto</h1>{f'<p>{PT}</p>' * 4}</body></html>")
    result = extract([SourcePage("https://www.example.es/politica/presupuesto", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.published is None


def test_a_date_above_the_headline_before_the_capture_is_the_posts() -> None:
    html = ('<html lang="es"><head><title>Presupuesto | Diario</title></head><body>'
            '<div class="fecha">5 de marzo de 2021</div><h1>El consejo aplaza el presupuesto</h1>'
            f"{f'<p>{PT}</p>' * 4}</body></html>")
    result = extract([SourcePage("https://www.example.es/politica/presupuesto", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.published == "2021-03-05"


@pytest.mark.parametrize(("lang", "byline", "authors"), [
    ("en", "<p>Posted by Jane Doe on March 5, 2021</p>", ("Jane Doe",)),
    ("en", '<p class="byline">By Jane Doe and John Roe on March 5, 2021</p>', ("Jane Doe", "John Roe")),
    ("zh-CN", '<p class="author">记者 王小明</p>', ("王小明",)),
    ("zh-CN", '<p class="author">作者：王小明</p>', ("王小明",)),
    ("ja", '<p class="author">記者：山田太郎</p>', ("山田太郎",)),
    ("ar", '<p class="author">كتب: محمد علي</p>', ("محمد علي",)),
    ("ko", '<p class="author">홍길동 기자</p>', ("홍길동",)),
])
def test_byline_labels_and_dates_after_several_names(lang: str, byline: str, authors: tuple) -> None:
    assert _page(lang, byline, PT).authors == authors


@pytest.mark.parametrize("head", [
    '<meta name="author" content="Daily Herald"><meta property="og:site_name" content="Daily Herald">',
    '<meta name="author" content="dailyherald.com">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "author": "The Daily Herald", '
    '"publisher": {"@type": "Organization", "name": "Daily Herald"}}</script>',
    '<script type="application/ld+json">{"@type": "BlogPosting", "author": {"@type": "Person", '
    '"name": "admin"}}</script>',
])
def test_the_site_or_its_admin_account_declared_as_author_gives_way_to_the_byline(head: str) -> None:
    result = _page("en", '<p class="byline">By Jane Doe</p>', EN, head=head)
    assert result.authors == ("Jane Doe",)


def test_the_site_declared_as_author_is_the_author_when_no_person_is_named() -> None:
    head = '<meta name="author" content="Daily Herald"><meta property="og:site_name" content="Daily Herald">'
    assert _page("en", "", EN, head=head).authors == ("Daily Herald",)
    admin = '<meta name="author" content="admin">'
    assert _page("en", "", EN, head=admin).authors == ()


@pytest.mark.parametrize("widget", ["crp_related", "td-related-row", "rp4wp-related-posts",
                                    "related_posts", "jp-relatedposts", "wp-block-related",
                                    "c-related-list", "more-from-section", "recommended-stories",
                                    "read-next", "similar-posts", "noticias-relacionadas",
                                    "articoli-correlati", "mehr-zum-thema"])
def test_related_posts_widgets_of_common_plugins_are_furniture(widget: str) -> None:
    """Related-posts plugins and themes name their box in many ways; its teasers' dates are
    not the article's, and its headlines are not its text."""
    box = (f'<div class="{widget}"><h3>Related</h3><ul><li><a href="/2021/02/01/other">Mayor '
           'opens the new library wing after two years</a> <time datetime="2021-02-01">'
           "February 1, 2021</time></li></ul></div>")
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            f'<body><main><article><h1>Council delays budget</h1><p class="meta">March 5, 2021</p>'
            f"<p>{EN}</p><p>{LEAD}</p>{box}</article></main></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert (result.published, result.body) == ("2021-03-05", f"{EN}\n\n{LEAD}")


def test_the_headline_keeps_its_case_against_a_title_case_title_tag() -> None:
    html = ('<html lang="en"><head><title>Council Delays Budget Vote Again | Daily Herald</title>'
            f"</head><body><article><h1>Council delays budget vote again</h1><p>{EN}</p><p>{LEAD}"
            "</p></article></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert (result.title, result.sitename) == ("Council delays budget vote again", "Daily Herald")


def test_live_blog_without_date_published_starts_at_its_coverage_start() -> None:
    """A LiveBlogPosting may declare only ``coverageStartTime``: its updates' dates (the
    latest first) are not the live blog's publication."""
    data = {"@context": "https://schema.org", "@type": "LiveBlogPosting",
            "headline": "Live: council budget debate", "coverageStartTime": "2021-03-05T09:00:00Z",
            "liveBlogUpdate": [
                {"@type": "BlogPosting", "headline": "Vote delayed", "datePublished": "2021-03-06T01:00:00Z"},
                {"@type": "BlogPosting", "headline": "Debate opens", "datePublished": "2021-03-05T09:05:00Z"}]}
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    assert _page("en", "", EN, head=head).published == "2021-03-05"


IT = ("Il consiglio comunale ha discusso a lungo martedì sera il nuovo bilancio per il prossimo "
      "anno, le strade, le scuole e la biblioteca del quartiere.")


@pytest.mark.parametrize(("lang", "top"), [
    ("it", "<p>di Marco Rossi</p>"),
    ("pl", "<p>Autor: Jan Kowalski</p>"),
    ("ru", "<p>Автор: Иван Петров</p>"),
    ("en", "<p>By Jane Doe</p><p>Updated 2 hours ago</p>"),
    ("en", "<p>March 5, 2021 at 10:15 a.m.</p><p>3 min read</p>"),
    ("de", "<p>Lesezeit: 4 Min.</p>"),
])
def test_byline_and_reading_time_lines_above_the_text_leave_the_body(lang: str, top: str) -> None:
    html = (f'<html lang="{lang}"><head><title>Il consiglio rinvia il bilancio | Giornale</title>'
            f"</head><body><article><h1>Il consiglio rinvia il bilancio</h1>{top}<p>{IT}</p>"
            f"<p>{IT} Ancora.</p></article></body></html>")
    result = extract([SourcePage("https://www.example.it/politica/consiglio", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.body == f"{IT}\n\n{IT} Ancora."


@pytest.mark.parametrize(("lang", "counter"), [
    ("en", "1,204 views"), ("en", "Read 1.2k times"), ("en", "214 shares"), ("en", "👁 1204"),
    ("en", "12 people are reading this right now"), ("de", "31 Personen lesen gerade diesen Artikel"),
    ("fr", "12 personnes lisent cet article"), ("es", "4.321 visitas"),
])
def test_a_visit_counter_in_the_text_leaves_the_body(lang: str, counter: str) -> None:
    """A counter is new at every visit: kept, each re-capture of the same article changed its text."""
    html = (f'<html lang="{lang}"><head><title>Il consiglio rinvia il bilancio | Giornale</title>'
            f"</head><body><article><h1>Il consiglio rinvia il bilancio</h1><p>{IT}</p><p>{counter}</p>"
            f"<p>{IT} Ancora.</p></article></body></html>")
    result = extract([SourcePage("https://www.example.it/politica/consiglio", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.body == f"{IT}\n\n{IT} Ancora."


def test_a_sentence_about_readers_stays() -> None:
    sentence = "12 people are reading the report aloud at the town hall tonight."
    html = (f'<html lang="en"><head><title>Il consiglio rinvia il bilancio | Giornale</title>'
            f"</head><body><article><h1>Il consiglio rinvia il bilancio</h1><p>{IT}</p><p>{sentence}</p>"
            f"<p>{IT} Ancora.</p></article></body></html>")
    result = extract([SourcePage("https://www.example.it/politica/consiglio", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert sentence in result.body


def test_a_first_paragraph_that_starts_like_a_byline_stays() -> None:
    """Italian "Da" is "by" in a byline and "since" in a sentence."""
    first = "Da ieri sera la città è senza acqua corrente."
    html = ('<html lang="it"><head><title>Città senza acqua | Giornale</title></head><body>'
            f"<article><h1>Città senza acqua</h1><p>{first}</p><p>{IT}</p></article></body></html>")
    result = extract([SourcePage("https://www.example.it/cronaca/acqua", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.body == f"{first}\n\n{IT}"


@pytest.mark.parametrize("section", [
    '<section id="responses"><h3>2 Responses</h3><ol><li><div class="author">Bob</div>'
    '<div class="date">March 10, 2021</div><p>Great article, thanks for covering the roads.</p>'
    '</li><li><div class="author">Ann</div><div class="date">March 11, 2021</div><p>I disagree '
    "with the council on this one.</p></li></ol></section>",
    '<div class="discussion"><h3>Reader reactions</h3><div class="post"><span class="byline">'
    "Bob wrote on March 10, 2021:</span><p>Great article, thanks for covering the roads.</p>"
    "</div></div>",
])
def test_a_comment_section_not_named_so_gives_no_article_date_or_author(section: str) -> None:
    """The comments found in a section whose class does not say "comment" are comments to the
    date and author steps too: their dates and names are not the article's."""
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            f"<body><main><article><h1>Council delays budget</h1><p>{EN}</p><p>{LEAD}</p>"
            f"</article>{section}</main></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert (result.published, result.authors) == (None, ())
    assert [comment.published for comment in result.comments][0] == "2021-03-10"


def test_a_reviewed_claims_author_is_not_the_fact_checks() -> None:
    """A ClaimReview's author is the fact-checking organisation; the person in the claim it
    reviews (``itemReviewed.author``) did not write the page."""
    data = {"@context": "https://schema.org", "@type": "ClaimReview",
            "author": {"@type": "Organization", "name": "Polygraph.info"},
            "itemReviewed": {"@type": "CreativeWork",
                             "author": {"@type": "Person", "name": "Joe Bloggs"}}}
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    assert _page("en", "", EN, head=head).authors == ("Polygraph.info",)


def test_a_short_related_box_itself_dates_no_article() -> None:
    """The box of a related-articles block (not only what it holds) is no byline: its short
    text holds a teaser's date."""
    box = ('<div class="more-from-section"><h3>More from News</h3><div class="card">'
           '<a href="/x">Mayor resigns</a><span class="date">March 9, 2021</span></div></div>')
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            f"<body><article><h1>Council delays budget</h1><p>{EN}</p><p>{LEAD}</p>{box}"
            "</article></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert result.published is None


@pytest.mark.parametrize(("lang", "dateline", "modified"), [
    ("fr", "Publié le 3 mars 2020 à 10h15, mis à jour le 4 mars à 08h00", "2020-03-04"),
    ("en", "Published March 3, 2020 | Updated March 4 at 8:00 a.m.", "2020-03-04"),
    ("pt-BR", "03/03/2020 10h15 Atualizado há 2 dias", "2021-03-13"),
])
def test_an_update_without_a_year_or_relative_in_the_dateline(lang: str, dateline: str,
                                                               modified: str) -> None:
    """Sites leave out the year of an update in the year of the publication, or write how
    long ago it was: the first such day from the publication on, or counted back from the
    capture time."""
    result = _page(lang, f'<p class="date">{dateline}</p>', PT)
    assert (result.published, result.modified) == ("2020-03-03", modified)


@pytest.mark.parametrize("byline", ["Jane Doe, Staff Writer", "Jane Doe, Senior Reporter",
                                    "Marie Durand, correspondante à Bruxelles"])
def test_an_unmarked_name_and_role_line_under_the_headline_is_the_byline(byline: str) -> None:
    """Without "By" or byline markup, a name followed by its role is a byline all the same."""
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            f"<body><article><h1>Council delays budget</h1><p>{byline}</p><p>{EN}</p>"
            f"<p>{LEAD}</p></article></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert (result.authors[0], result.body) == (byline.split(",")[0], f"{EN}\n\n{LEAD}")


def test_a_sentence_with_a_comma_under_the_headline_names_no_author() -> None:
    first = "Council members, staff writers say, want the vote delayed."
    html = ('<html lang="en"><head><title>Council delays budget | Daily Herald</title></head>'
            f"<body><article><h1>Council delays budget</h1><p>{first}</p><p>{EN}</p>"
            "</article></body></html>")
    result = extract([SourcePage("https://www.example.com/news/council-budget", html.encode(),
                                 "text/html; charset=utf-8", CAPTURED)])
    assert (result.authors, result.body) == ((), f"{first}\n\n{EN}")
