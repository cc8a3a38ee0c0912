"""Dates by provenance, author names, language, site name, title, tags and canonical URL."""

from __future__ import annotations

import json

import pytest

from .conftest import FILLER, article, page


def _ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_header_today_date_is_not_the_publication_date() -> None:
    header_date = '<div class="today">Sunday, February 09, 2025</div>'
    byline = ('<p class="byline">By <span class="author">JANE DOE</span> '
              '<span class="date">Tuesday, March 4, 2014</span></p>')
    html = article(before=byline).replace('<div id="header">', f'<div id="header">{header_date}')
    result = page(html, url="https://news.example.com/story.php?id=7")
    assert result.published == "2014-03-04"
    assert result.authors == ("Jane Doe",)


def test_json_ld_published_and_modified() -> None:
    head = _ld({"@context": "https://schema.org", "@type": "NewsArticle",
                "headline": "Budget Vote Delayed", "datePublished": "2021-06-01T08:00:00+02:00",
                "dateModified": "2021-06-03T09:30:00+02:00",
                "author": [{"@type": "Person", "name": "Ann Lee"},
                           {"@type": "Person", "name": "Bo Chen"}],
                "publisher": {"@type": "Organization", "name": "Example Daily"}})
    result = page(article(head=head), url="https://news.example.com/a/budget")
    assert (result.published, result.modified) == ("2021-06-01", "2021-06-03")
    assert result.authors == ("Ann Lee", "Bo Chen")
    assert result.sitename == "Example Daily"


def test_opengraph_dates_and_metadata() -> None:
    head = ('<meta property="og:title" content="Budget Vote Delayed Again">'
            '<meta property="og:site_name" content="Example News">'
            '<meta property="og:image" content="/img/vote.jpg">'
            '<meta property="article:published_time" content="2019-11-18T10:00:00Z">'
            '<meta property="article:modified_time" content="2019-11-19T10:00:00Z">'
            '<meta property="article:section" content="Politics">'
            '<meta name="keywords" content="budget, council , vote">'
            '<meta name="description" content="The council postponed the vote.">'
            '<link rel="canonical" href="/politics/budget-vote">')
    result = page(article(head=head), url="https://news.example.com/politics/budget-vote?utm=x")
    assert result.published == "2019-11-18"
    assert result.modified == "2019-11-19"
    assert result.title == "Budget Vote Delayed Again"
    assert result.sitename == "Example News"
    assert result.image == "https://news.example.com/img/vote.jpg"
    assert result.tags == ("budget", "council", "vote")
    assert result.categories == ("Politics",)
    assert result.description == "The council postponed the vote."
    assert result.url == "https://news.example.com/politics/budget-vote"


def test_by_a_and_b() -> None:
    byline = '<div class="byline">By MARY MCDONALD and Piet VAN DER BERG, Staff Writers</div>'
    result = page(article(before=byline), url="https://news.example.com/x")
    assert result.authors == ("Mary McDonald", "Piet van der Berg")


def test_author_list_with_roles_and_email() -> None:
    head = '<meta name="author" content="By Ana Ruiz, Tom O\'BRIEN and Li Wei (li@example.com)">'
    assert page(article(head=head)).authors == ("Ana Ruiz", "Tom O'Brien", "Li Wei")


def test_all_caps_particles() -> None:
    byline = '<p class="byline">By JAMES VAN DER BEEK</p>'
    assert page(article(before=byline)).authors == ("James van der Beek",)


def test_time_element_in_article() -> None:
    byline = '<p class="meta">Posted <time datetime="2023-01-15T07:00">15 Jan</time></p>'
    result = page(article(before=byline), url="https://blog.example.org/posts/hello")
    assert result.published == "2023-01-15"
    assert result.modified is None


def test_no_date_means_none() -> None:
    assert page(article(), url="https://blog.example.org/posts/hello").published is None


def test_date_in_url() -> None:
    assert page(article(), url="https://blog.example.org/2018/07/21/hello/").published == \
        "2018-07-21"


def test_language_declared() -> None:
    assert page(article(lang=' lang="pt-BR"')).language == "pt"


def test_language_detected_without_declaration() -> None:
    german = "".join(
        f"<p>Der Gemeinderat hat am Dienstagabend über den neuen Haushalt für das kommende "
        f"Jahr beraten, und die Mitglieder sprachen lange über Straßen, Schulen und die "
        f"Stadtbibliothek. Absatz {n} endet hier.</p>" for n in range(4))
    html = (f"<html><head><title>Haushalt vertagt</title></head><body><article>"
            f"<h1>Haushalt vertagt</h1>{german}</article></body></html>")
    result = page(html)
    assert result.language == "de"
    assert result.title == "Haushalt vertagt"


def test_french_page_date_in_byline() -> None:
    french = "".join(
        f"<p>Le conseil municipal s'est réuni mardi soir pour discuter du nouveau budget de "
        f"l'année prochaine, et les élus ont longuement parlé des routes et des écoles. "
        f"Paragraphe {n}.</p>" for n in range(4))
    html = (f'<html lang="fr"><head><title>Budget reporté - Le Journal</title></head><body>'
            f'<article><h1>Budget reporté</h1><p class="byline">Par Claire Dubois, '
            f'le 3 mars 2022</p>{french}</article></body></html>')
    result = page(html, url="https://journal.example.fr/budget")
    assert result.published == "2022-03-03"
    assert result.authors == ("Claire Dubois",)
    assert result.language == "fr"


def test_sitename_from_logo_then_host() -> None:
    assert page(article()).sitename == "Example News"
    bare = "<html><body><article><h1>T</h1><p>Text.</p></article></body></html>"
    assert page(bare, url="https://www.example.org/a").sitename == "www.example.org"


def test_title_from_title_tag_without_site_suffix() -> None:
    html = ("<html><head><title>Budget Vote Delayed | Example News</title></head><body>"
            "<p>Some text here.</p></body></html>")
    assert page(html).title == "Budget Vote Delayed"


def test_unmarked_header_date_before_headline_loses_to_byline() -> None:
    html = ('<html><body><div class="strip"><time datetime="2025-02-09">Sunday, '
            'February 09, 2025</time></div><div class="story"><div class="story-head">'
            '<h1>Budget Vote Delayed</h1><div class="info">By Ron Hale | '
            '<time datetime="2016-10-12">October 12, 2016</time></div></div>'
            f'<div class="text"><p>{"The council met again. " * 20}</p></div></div>'
            '</body></html>')
    result = page(html, url="https://news.example.com/story.php?id=3")
    assert result.published == "2016-10-12"
    assert result.authors == ("Ron Hale",)


def test_byline_roles_agencies_and_slashes() -> None:
    from archivist.extraction.authors import split_authors

    assert split_authors("By WAI MOE / THE IRRAWADDY") == ["Wai Moe"]
    assert split_authors("By WAI MOE, IRRAWADDY CORRESPONDENT") == ["Wai Moe"]
    assert split_authors("By Jane Doe | Reuters") == ["Jane Doe"]
    assert split_authors("Por María José García y Luis Pérez") == [
        "María José García", "Luis Pérez"]


def test_initials_credentials_and_trailing_words() -> None:
    from archivist.extraction.authors import split_authors

    assert split_authors("Sarah E. Needleman") == ["Sarah E. Needleman"]
    assert split_authors("Rachael Link, MS, RD") == ["Rachael Link"]
    assert split_authors("By Matthew Digby and Minh Do on") == ["Matthew Digby", "Minh Do"]


def test_initials_keep_their_periods() -> None:
    from archivist.extraction.authors import clean_author, split_authors

    assert split_authors("By Anna K. and Ben L.") == ["Anna K.", "Ben L."]
    assert split_authors("By J.R.R. TOLKIEN") == ["J.R.R. Tolkien"]
    assert clean_author("ANNA K.") == "Anna K."
    assert clean_author("Martin Luther King Jr.") == "Martin Luther King Jr."
    assert clean_author("Dave R.,") == "Dave R."
    # A full stop or an ellipsis after a whole name is punctuation, not part of the name.
    assert clean_author("Jane Doe.") == "Jane Doe"
    assert clean_author("Anna K...") == "Anna K"
    byline = '<p class="byline">By Anna K.</p>'
    assert page(article(before=byline)).authors == ("Anna K.",)


def test_sitename_tagline_and_file_name_logo() -> None:
    head = '<meta property="og:site_name" content="LinkNaija | Nigeria\'s news platform">'
    assert page(article(head=head)).sitename == "LinkNaija"
    html = ('<html><body><div class="logo"><img src="/l.png" alt="acme-image-Logo"></div>'
            '<article><h1>Title here</h1><p>Text.</p></article></body></html>')
    assert page(html, url="https://www.acme.example/n").sitename == "www.acme.example"


def test_dates_of_related_articles_are_not_the_date() -> None:
    related = ('<div class="related-articles"><ul><li><a href="/x">Other story</a> '
               '<time datetime="2024-04-01">1 April</time></li></ul></div>')
    byline = '<p class="byline">Published March 3, 2024</p>'
    result = page(article(before=byline, after=related), url="https://n.example.com/s")
    assert result.published == "2024-03-03"


def test_unmarked_h2_headline_has_its_byline_read() -> None:
    prose = "".join(f"<p>{FILLER}Paragraph {n}.</p>" for n in range(1, 5))
    sidebar = ('<div class="sidebar"><h2>About me</h2><p>By day a nurse, by night a writer.</p>'
               '</div>')
    for title, lead in (("Bridge Reopens After Two Years | Daily", ""),  # the <title> names it
                        ("The Daily", sidebar)):  # the article's prose follows it
        html = (f'<html lang="en"><head><title>{title}</title></head><body>'
                f'<div id="header"><a href="/">The Daily</a></div>{lead}<div class="content">'
                f'<h2>Bridge Reopens After Two Years</h2>'
                f'<p>By Anna Smith and John Roe, Staff Writers | May 3, 2024</p>{prose}</div>'
                f'</body></html>')
        result = page(html, url="https://daily.example.com/bridge")
        assert result.authors == ("Anna Smith", "John Roe")
        assert result.published == "2024-05-03"
        assert result.title == "Bridge Reopens After Two Years"
        assert "Anna Smith" not in result.body


def test_teaser_h2_above_an_unmarked_headline_is_not_the_headline() -> None:
    prose = "".join(f"<p>{FILLER}Paragraph {n}.</p>" for n in range(1, 5))
    html = ('<html lang="en"><head><title>The Daily</title></head><body>'
            '<div class="top"><h2>Latest news</h2><ul><li><a href="/a">Ferry fares rise</a></li>'
            '<li><a href="/b">Library opens late</a></li></ul></div>'
            f'<div class="content"><h2>Bridge Reopens After Two Years</h2>'
            f'<p>By Anna Smith</p>{prose}</div></body></html>')
    result = page(html, url="https://daily.example.com/bridge")
    assert (result.title, result.authors) == ("Bridge Reopens After Two Years", ("Anna Smith",))


def test_sidebar_by_line_beside_the_headline_is_no_byline() -> None:
    prose = "".join(f"<p>{FILLER}Paragraph {n}.</p>" for n in range(1, 5))
    html = ('<html lang="en"><head><title>The Daily</title></head><body>'
            '<div class="sidebar"><h2>About me</h2><p>By day a nurse, by night a writer.</p>'
            '</div><div class="content"><h1>Bridge Reopens After Two Years</h1>'
            f'<p>By Anna Smith</p>{prose}</div></body></html>')
    assert page(html, url="https://daily.example.com/bridge").authors == ("Anna Smith",)


def test_json_ld_graph_references_name_the_authors_and_the_site() -> None:
    """Yoast-style graphs refer to the people and the publisher by ``@id``."""
    base = "https://news.example.com/#"
    head = _ld({"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "headline": "Budget Vote Delayed",
         "author": [{"@id": base + "p1"}, {"@id": base + "p2"}],
         "publisher": {"@id": base + "org"}},
        {"@type": "Person", "@id": base + "p1", "name": "Ann Lee"},
        {"@type": "Person", "@id": base + "p2", "name": "Bo Chen"},
        {"@type": "Organization", "@id": base + "org", "name": "Example Daily"},
    ]})
    result = page(article(head=head).replace('alt="Example News"', 'alt=""'))
    assert result.authors == ("Ann Lee", "Bo Chen")
    assert result.sitename == "Example Daily"


def test_sitename_from_website_object_dublin_core_or_title_suffix() -> None:
    no_logo = article().replace('alt="Example News"', 'alt="Home"')
    website = _ld({"@context": "https://schema.org", "@type": "WebSite", "name": "Example Web"})
    assert page(article(head=website).replace('alt="Example News"', 'alt=""')).sitename == (
        "Example Web")
    dublin_core = '<meta name="DC.publisher" content="Example Press">'
    assert page(article(head=dublin_core).replace('alt="Example News"', 'alt=""')).sitename == (
        "Example Press")
    # A logo whose alt names the link target ("Home", "Zur Startseite") is no site name; the
    # <title>'s part that is not the headline is.
    assert page(no_logo).sitename == "Example News"
    german = no_logo.replace('alt="Home"', 'alt="Zur Startseite"').replace(
        "Budget Vote Delayed | Example News", "Budget Vote Delayed :: Stadtblatt")
    assert page(german).sitename == "Stadtblatt"


def _german_page(lang: str) -> str:
    german = "".join(
        f"<p>Der Gemeinderat hat am Dienstagabend über den neuen Haushalt für das kommende "
        f"Jahr beraten, und die Mitglieder sprachen lange über Straßen, Schulen und die "
        f"Stadtbibliothek. Absatz {n} endet hier.</p>" for n in range(4))
    return (f"<html{lang}><head><title>Haushalt vertagt</title></head><body><article>"
            f"<h1>Haushalt vertagt</h1>{german}</article></body></html>")


def test_body_plainly_in_another_language_overrules_a_theme_default_lang() -> None:
    assert page(_german_page(' lang="en-US"')).language == "de"
    # A close language is no contradiction (Galician posts on a page declared Portuguese),
    # and neither is a short body.
    galician = "".join(
        f"<p>O concello aprobou onte o orzamento para o próximo ano, que inclúe novas obras nas "
        f"rúas do centro e unha nova biblioteca municipal. Parágrafo {n}.</p>" for n in range(4))
    html = (f'<html lang="pt"><head><title>Orzamento</title></head><body><article>'
            f"<h1>Orzamento</h1>{galician}</article></body></html>")
    assert page(html).language == "pt"
    short = ('<html lang="en"><head><title>Kurz</title></head><body><article><h1>Kurz</h1>'
             "<p>Der Gemeinderat hat den Haushalt vertagt.</p></article></body></html>")
    assert page(short).language == "en"
    assert page(article(lang=' lang="en-GB"')).language == "en"


def test_byline_with_two_marked_up_authors_names_both() -> None:
    byline = ('<div class="byline">By <span itemprop="author" itemscope><span itemprop="name">'
              'GEORGE MCDONALD</span></span> and <span itemprop="author" itemscope>'
              '<span itemprop="name">Lucy O\'Hara</span></span></div>')
    box = ('<div class="author-box"><span itemprop="author">Someone Else</span></div>')
    result = page(article(before=byline, after=box), url="https://news.example.com/x")
    assert result.authors == ("George McDonald", "Lucy O'Hara")


def test_description_from_the_article_json_ld() -> None:
    head = _ld({"@context": "https://schema.org", "@type": "NewsArticle",
                "headline": "Budget Vote Delayed", "description": "The vote moves to June."})
    assert page(article(head=head)).description == "The vote moves to June."


def test_byline_labels_dates_after_the_name_and_line_breaks() -> None:
    cases = {
        '<div class="meta">Por João Silva em 4 de março de 2021</div>': ("João Silva",),
        '<div class="meta">Autor: Jan Kowalski, 4 marca 2021</div>': ("Jan Kowalski",),
        ('<p class="about"><span>Von</span> <span><a class="author-link" href="/a/mb">Moritz '
         'Bachmann</a></span> <span>publiziert am 25. September 2018</span></p>'):
            ("Moritz Bachmann",),
        '<h3 class="byline">by Jeff Foust<br><span>Monday, November 18, 2019</span></h3>':
            ("Jeff Foust",),
    }
    for byline, authors in cases.items():
        assert page(article(before=byline), url="https://news.example.com/x").authors == authors
    # An author's bio beside the byline block names no one else.
    bio = ('<p class="byline">Jeff Foust (<a href="mailto:j@x.com">j@x.com</a>) is the editor '
           "and publisher of The Review.</p>")
    html = article(before='<p class="byline">by Jeff Foust</p>', after=bio)
    assert page(html, url="https://news.example.com/x").authors == ("Jeff Foust",)


def test_title_tag_headline_between_section_and_site_names() -> None:
    html = (f"<html><head><title>Council approves budget | Politics | Example News</title>"
            f"</head><body><div class='content'>{f'<p>{FILLER}</p>' * 3}</div></body></html>")
    assert page(html).title == "Council approves budget"


def test_blog_post_footer_byline_names_the_author() -> None:
    """Blogger: an h3 post title and "Posted by <span class=fn>" in the post's footer."""
    html = (
        '<html lang="en"><head><title>Knitting Notes: A winter hat</title></head><body>'
        '<div class="post hentry"><h3 class="post-title entry-title">A winter hat pattern</h3>'
        f'<div class="post-body entry-content">{f"<p>{FILLER}</p>" * 3}</div>'
        '<div class="post-footer"><span class="post-author vcard">Posted by <span class="fn">'
        'Maud</span></span> at <span class="post-timestamp">January 09, 2021</span></div></div>'
        "</body></html>")
    result = page(html, url="https://knitting.example.com/2021/01/hat.html")
    assert result.authors == ("Maud",)
    assert result.published == "2021-01-09"


def test_article_footer_is_no_site_chrome() -> None:
    footer = ('<footer class="entry-footer"><span class="byline">Posted by <a class="url fn n" '
              'href="/author/ann/">Ann Lee</a></span> on <span class="posted-on">'
              "March 4, 2014</span></footer>")
    html = article().replace('<div class="article-body">', "<article><div class=\"article-body\">"
                             ).replace("</div></div><div id=\"footer\">",
                                       f"</div>{footer}</article></div><div id=\"footer\">")
    result = page(html, url="https://news.example.com/story.php?id=7")
    assert result.authors == ("Ann Lee",)
    assert result.published == "2014-03-04"


def test_json_ld_with_raw_line_breaks_in_its_strings_is_read() -> None:
    """CMSs paste the description or the article body into JSON-LD with its line breaks as they
    are, which strict JSON forbids inside strings; search engines read it all the same."""
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",\n'
            '"headline": "Budget Vote Delayed", "description": "The vote waits\nfor the auditors.\n",\n'
            '"datePublished": "2021-06-01T08:00:00+02:00", "author": "Nishant Kumar"}</script>')
    result = page(article(head=head), url="https://news.example.com/a/budget")
    assert result.published == "2021-06-01"
    assert result.authors == ("Nishant Kumar",)
    assert result.description == "The vote waits for the auditors."


def test_meta_with_several_itemprops_and_a_property_counts_under_each() -> None:
    """``<meta property="article:published" itemprop="datePublished dateCreated">`` (as a large
    news site writes it) names the publication date under every one of its names."""
    head = ('<meta property="article:published" itemprop="datePublished dateCreated" content="2019-11-19T11:00:09.000Z">'
            '<meta property="article:modified" itemprop="dateModified" content="2019-11-19T15:00:08.000Z">')
    result = page(article(head=head), url="https://news.example.com/a/budget")
    assert (result.published, result.modified) == ("2019-11-19", "2019-11-19")


@pytest.mark.parametrize("declared", [
    "Opinion | Budget Vote Delayed",
    "Budget Vote Delayed | Editorial",
    "Budget Vote Delayed - Auto News",
    "Analysis: Budget Vote Delayed",
])
def test_a_title_decorated_around_the_headline_gives_the_headline(declared: str) -> None:
    """og:title adds a section label or a suffix the site name does not spell around the
    headline the page sets in its <h1>: the title is the headline."""
    result = page(article(head=f'<meta property="og:title" content="{declared}">'))
    assert result.title == "Budget Vote Delayed"


def test_a_title_part_that_is_only_a_section_heading_is_not_the_title() -> None:
    html = article(head='<meta property="og:title" content="Budget | Budget Vote Delayed Until March">')
    assert page(html.replace("<h1>Budget Vote Delayed</h1>", "<h1>Budget</h1>")).title == (
        "Budget | Budget Vote Delayed Until March")
