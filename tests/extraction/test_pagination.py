"""discover_pages: every page of the article from any page, in reading order, nothing else."""

from __future__ import annotations

from archivist.extraction import discover_pages, limit_pages, page_key, page_number

from .conftest import article


def test_path_pagination_from_middle_page() -> None:
    base = "https://blog.example.com/2020/01/long-read"
    pager = ('<div class="page-links">Pages: <a href="/2020/01/long-read/">1</a> <span>2</span> '
             '<a href="/2020/01/long-read/3/">3</a> '
             '<a href="/2020/01/long-read/3/">Next page</a></div>')
    assert discover_pages(article(pager), f"{base}/2/") == [f"{base}/", f"{base}/2/", f"{base}/3/"]


def test_page_segment_pagination() -> None:
    base = "https://site.example.net/features/deep-dive"
    pager = (f'<nav class="pagination"><a href="{base}/">« Prev</a> <a href="{base}/">1</a> '
             f'<strong>2</strong> <a href="{base}/page/3/">3</a> '
             f'<a href="{base}/page/3/">Next »</a></nav>')
    assert discover_pages(article(pager), f"{base}/page/2/") == [
        f"{base}/", f"{base}/page/2/", f"{base}/page/3/"]


def test_rel_next_prev_chain() -> None:
    head = ('<link rel="prev" href="/stories/river">'
            '<link rel="next" href="/stories/river?page=3">')
    url = "https://mag.example.org/stories/river?page=2"
    assert discover_pages(article(head=head), url) == [
        "https://mag.example.org/stories/river", url,
        "https://mag.example.org/stories/river?page=3"]


def test_rel_links_to_adjacent_posts_are_not_pages() -> None:
    head = ('<link rel="prev" href="/2015/03/29/older-post/">'
            '<link rel="next" href="/2015/03/31/newer-post/">')
    nav = '<a rel="prev" href="/2015/03/29/older-post/">« Older post</a>'
    url = "https://blog.example.org/2015/03/30/this-post/"
    assert discover_pages(article(nav, head=head), url) == [url]


def test_page_x_of_n_fills_unlinked_pages() -> None:
    pager = ('<p class="pageno">Page 1 of 4</p>'
             '<a href="/news/item.php?id=9&amp;page=2" class="next">Next</a>')
    url = "https://news.example.com/news/item.php?id=9"
    found = discover_pages(article(pager), url)
    assert found == [url] + [f"https://news.example.com/news/item.php?id=9&page={n}"
                             for n in (2, 3, 4)]
    assert [page_number(u) for u in found] == [None, 2, 3, 4]


def test_other_host_is_ignored() -> None:
    head = '<link rel="next" href="https://mirror.example.net/story?page=2">'
    pager = ('<div class="pagination"><b>1</b> '
             '<a href="https://mirror.example.net/story?page=2">2</a></div>')
    url = "https://news.example.com/story"
    assert discover_pages(article(pager, head=head), url) == [url]


def test_a_pager_link_with_backslashes_goes_where_a_browser_goes() -> None:
    """``\\\\host\\path`` is a link to another host for a browser (the WHATWG URL standard), not
    a path of this site."""
    pager = ('<div class="pagination"><b>1</b> <a href="\\\\mirror.example.net\\story?page=2">2</a> '
             '<a href="\\story?page=3">3</a></div>')
    url = "https://news.example.com/story"
    assert discover_pages(article(pager), url) == [url, "https://news.example.com/story?page=3"]


def test_listing_page_is_not_an_article() -> None:
    teasers = "".join(
        f'<article class="teaser"><h2><a href="/news/story-{n}">Story {n}</a></h2>'
        f'<p>Teaser text for story {n}.</p></article>' for n in range(8))
    pager = ('<div class="pagination"><span>1</span> <a href="/category/news/page/2/">2</a> '
             '<a href="/category/news/page/3/">3</a></div>')
    html = f"<html><body><main>{teasers}{pager}</main></body></html>"
    url = "https://news.example.com/category/news/"
    assert discover_pages(html, url) == [url]


def test_more_articles_and_comment_pages_are_not_pages() -> None:
    more = ('<div class="related"><h3>More articles</h3><ul>'
            '<li><a href="/2024/05/other-story.html">Other story</a></li>'
            '<li><a href="/2024/05/story-2.html">Story 2: the sequel</a></li></ul></div>'
            '<div id="comments"><div class="comment-pagination">'
            '<a href="/2024/05/story.html?cpage=2">2</a></div></div>')
    url = "https://news.example.com/2024/05/story.html"
    assert discover_pages(article(after=more), url) == [url]


def test_not_paginated() -> None:
    url = "https://news.example.com/2024/05/story.html"
    assert discover_pages(article(), url) == [url]


def test_bounded_by_max_pages() -> None:
    links = "".join(f'<a href="/long?page={n}">{n}</a> ' for n in range(2, 60))
    pager = f'<div class="pager"><b>1</b> {links}</div>'
    url = "https://news.example.com/long"
    found = discover_pages(article(pager), url, max_pages=5)
    assert found == [url] + [f"https://news.example.com/long?page={n}" for n in (2, 3, 4, 5)]


def test_tracking_parameters_do_not_hide_the_pager() -> None:
    pager = ('<div class="pages"><a href="/read.php?id=4&amp;page=1">1</a> '
             '<b>2</b></div>')
    url = "https://news.example.com/read.php?id=4&page=2&utm_source=feed"
    assert discover_pages(article(pager), url) == [
        "https://news.example.com/read.php?id=4&page=1", url]


def test_article_with_latest_news_box_keeps_its_pages() -> None:
    latest = "".join(f'<div class="teaser"><h3><a href="/news/{n}">Story {n}</a></h3></div>'
                     for n in range(8))
    pager = '<div class="pagination"><b>1</b> <a href="/archive/2010/story.html?page=2">2</a></div>'
    url = "https://news.example.com/archive/2010/story.html"
    assert discover_pages(article(pager, after=latest), url) == [
        url, "https://news.example.com/archive/2010/story.html?page=2"]


def test_page_x_of_n_of_comments_or_sidebar_is_not_the_article_count() -> None:
    url = "https://news.example.com/story?page=2"
    pager = ('<div class="pages">Page 2 of 3 <a href="/story?page=1">1</a> '
             '<a href="/story?page=3">3</a></div>')
    expected = ["https://news.example.com/story?page=1", url,
                "https://news.example.com/story?page=3"]
    comments = ('<div id="comments"><p>Page 1 of 9</p><div class="comment"><cite>Bo</cite>'
                '<p>First.</p></div></div>')
    assert discover_pages(article(after=comments + pager), url) == expected
    sidebar = '<div class="sidebar"><p>Most read: page 1 of 12</p></div>'
    assert discover_pages(article(before=sidebar, after=pager), url) == expected


def test_page_x_of_n_that_is_not_this_page_is_ignored() -> None:
    url = "https://news.example.com/story?page=2"
    gallery = '<div class="gallery-box">Page 1 of 20</div>'
    pager = ('<div class="pages">Page 2 of 3 <a href="/story?page=1">1</a> '
             '<a href="/story?page=3">3</a></div>')
    assert discover_pages(article(gallery, after=pager), url) == [
        "https://news.example.com/story?page=1", url, "https://news.example.com/story?page=3"]


def _teaser(n: int, tag: str = "div", cls: str = "entry") -> str:
    excerpt = "An excerpt of this post that runs to a couple of sentences, as a reader sees it. "
    return (f'<{tag} class="{cls}"><h2 class="entry-title"><a href="/2024/0{n}/post-{n}/">Post '
            f'{n}</a></h2><div class="entry-summary"><p>{excerpt * 2}</p><a class="more-link" '
            f'href="/2024/0{n}/post-{n}/">Continue reading</a></div></{tag}>')


def test_blog_index_of_a_few_excerpts_is_a_listing() -> None:
    pager = ('<div class="nav-links"><a class="next page-numbers" href="/page/2/">Older posts</a>'
             ' <a class="page-numbers" href="/page/3/">3</a></div>')
    html = ("<html><body><div id=\"content\">" + "".join(_teaser(n) for n in range(1, 5))
            + pager + "</div></body></html>")
    assert discover_pages(html, "https://blog.example.com/") == ["https://blog.example.com/"]


def test_short_last_page_with_a_related_box_keeps_its_pages() -> None:
    related = ('<div class="related-posts">' + "".join(_teaser(n) for n in range(1, 5))
               + "</div>")
    pager = ('<div class="page-links"><a href="/features/long-read/">1</a> '
             '<a href="/features/long-read/2/">2</a> <span>3</span></div>')
    # Page 3 holds too little text to prove itself an article: its related box must not make
    # it a listing.
    html = ("<html><body><article><h1>The long read</h1><p>The last short paragraph.</p>"
            f"{pager}{related}</article></body></html>")
    url = "https://mag.example.com/features/long-read/3/"
    assert discover_pages(html, url) == [
        "https://mag.example.com/features/long-read/",
        "https://mag.example.com/features/long-read/2/", url]


def _thread(pager: str) -> str:
    """A phpBB-style thread page: posts by several members, the pager above and below."""
    posts = "".join(
        f'<div id="p{4410 + n}" class="post bg{n % 2 + 1}"><div class="postbody">'
        f'<h3><a href="#p{4410 + n}">Re: Rear hub keeps clicking</a></h3>'
        f'<p class="author">by <a href="./memberlist.php?mode=viewprofile&amp;u={70 + n}" '
        f'class="username">rider{n}</a> » Mon Jul 08, 2019 9:1{n} pm</p>'
        f'<div class="content">Tried regreasing the pawls and it still clicks on every '
        f'third turn, reply number {n}.</div></div></div>' for n in range(4))
    return (f'<html lang="en-GB"><head><title>Rear hub keeps clicking</title></head><body>'
            f'<h2 class="topic-title">Rear hub keeps clicking</h2>{pager}{posts}{pager}'
            f"</body></html>")


def test_phpbb_start_offset_pager_from_any_page() -> None:
    base = "https://forum.example.org/viewtopic.php?f=3&t=812"
    links = {1: "./viewtopic.php?f=3&amp;t=812", 2: "./viewtopic.php?f=3&amp;t=812&amp;start=15",
             3: "./viewtopic.php?f=3&amp;t=812&amp;start=30"}
    for current in (1, 2, 3):
        pager = '<div class="pagination">' + " ".join(
            f"<strong>{n}</strong>" if n == current else f'<a href="{href}">{n}</a>'
            for n, href in links.items()) + "</div>"
        url = base if current == 1 else f"{base}&start={15 * (current - 1)}"
        found = discover_pages(_thread(pager), url)
        assert found == [base, f"{base}&start=15", f"{base}&start=30"], current
        assert sorted(found, key=lambda u: page_number(u) or 1) == found


def test_offset_next_link_and_page_x_of_n() -> None:
    url = "https://www.example.com/story.php?id=77&offset=20"
    pager = ('<p class="pages">Page 2 of 4</p><a href="/story.php?id=77&amp;offset=0">'
             '« Previous</a> <a href="/story.php?id=77&amp;offset=40">Next »</a>')
    assert discover_pages(article(pager), url) == [
        f"https://www.example.com/story.php?id=77&offset={n}" for n in (0, 20, 40, 60)]


def test_offset_pager_of_a_topic_listing_is_not_followed() -> None:
    rows = "".join(
        f'<li class="row"><dl class="row-item"><dt><a href="./viewtopic.php?f=3&amp;t={800 + n}" '
        f'class="topictitle">Topic {n} about wheels</a><br>by <a href="./memberlist.php?u={n}">'
        f"user{n}</a></dt><dd class=\"posts\">{n} replies</dd></dl></li>" for n in range(20))
    pager = ('<div class="pagination"><strong>1</strong> '
             '<a href="./viewforum.php?f=3&amp;start=25">2</a> '
             '<a href="./viewforum.php?f=3&amp;start=50">3</a></div>')
    html = (f'<html><body><h2>Wheels &amp; Hubs</h2>{pager}<ul class="topiclist">{rows}</ul>'
            f"</body></html>")
    url = "https://forum.example.org/viewforum.php?f=3"
    assert discover_pages(html, url) == [url]


def test_wordpress_post_ids_are_not_page_numbers() -> None:
    """WordPress's plain permalinks name a post ``/?p=123``: the theme's previous/next post
    links are other posts, and the post's own pages are ``/?p=123&page=2``."""
    nav = ('<nav class="navigation post-navigation"><div class="nav-links">'
           '<div class="nav-previous"><a href="https://blog.example.com/?p=122" rel="prev">Previous</a>'
           '</div><div class="nav-next"><a href="https://blog.example.com/?p=124" rel="next">Next</a>'
           '</div></div></nav>')
    url = "https://blog.example.com/?p=123"
    assert discover_pages(article(after=nav), url) == [url]
    pages = ('<div class="page-links">Pages: <span class="post-page-numbers current">1</span> '
             '<a href="https://blog.example.com/?p=123&amp;page=2" class="post-page-numbers">2</a></div>')
    assert discover_pages(article(pages, after=nav), url) == [url, f"{url}&page=2"]
    back = ('<div class="page-links">Pages: <a href="https://blog.example.com/?p=123" '
            'class="post-page-numbers">1</a> <span class="post-page-numbers current">2</span></div>')
    assert discover_pages(article(back, after=nav), f"{url}&page=2") == [url, f"{url}&page=2"]
    assert (page_number(url), page_number(f"{url}&page=2")) == (None, 2)


def test_the_front_page_pager_pages_the_blog_not_an_article() -> None:
    pager = ('<div class="pagination"><span class="current">1</span> <a href="/page/2/">2</a> '
             '<a href="/?paged=3">3</a></div>')
    url = "https://blog.example.com/"
    assert discover_pages(article(pager), url) == [url]


def test_xenforo_thread_of_article_posts_keeps_its_pages() -> None:
    """XenForo sets each post in an ``<article>``: a thread page is not a list of teasers."""
    posts = "".join(
        f'<article class="message message--post js-post" data-author="rider{n}" '
        f'id="js-post-{900 + n}"><div class="message-inner"><div class="message-cell '
        f'message-cell--user"><h4 class="message-name"><a href="/members/rider{n}.{40 + n}/" '
        f'class="username">rider{n}</a></h4></div><div class="message-cell message-cell--main">'
        f'<header class="message-attribution"><time class="u-dt" datetime="2023-01-0{n + 1}T10:00'
        f':00+0000">Jan {n + 1}, 2023</time></header><div class="message-content"><article '
        f'class="message-body"><div class="bbWrapper">The front brake squeals at every stop, '
        f"reply {n}: have you tried sanding the pads?</div></article></div></div></div></article>"
        for n in range(5))
    base = "https://forum.example.com/threads/brake-squeal.555/"
    nav = ('<nav class="pageNavWrapper"><div class="pageNav"><ul class="pageNav-main">'
           f'<li class="pageNav-page"><a href="{base}">1</a></li>'
           f'<li class="pageNav-page pageNav-page--current"><a href="{base}page-2">2</a></li>'
           f'<li class="pageNav-page"><a href="{base}page-3">3</a></li></ul>'
           f'<a href="{base}page-3" class="pageNav-jump pageNav-jump--next">Next</a></div></nav>')
    html = (f'<html><head><title>Brake squeal | Bike Forum</title></head><body><div class="p-body">'
            f'<h1 class="p-title-value">Brake squeal</h1>{nav}<div class="block-body">{posts}</div>'
            f"{nav}</div></body></html>")
    assert discover_pages(html, f"{base}page-2") == [base, f"{base}page-2", f"{base}page-3"]


def test_next_part_of_a_series_and_older_newer_posts_are_other_documents() -> None:
    """"Next part" opens the series' next article, with its own title; "Older"/"Newer" step
    through the blog's posts by date: neither is a page of this article, whatever its URL."""
    url = "https://blog.example.com/2021/03/the-long-walk.html"
    series = ('<p class="series-nav"><a href="/2021/03/the-long-walk-2.html">Next part »</a></p>')
    assert discover_pages(article(series), url) == [url]
    url = "https://notes.example.org/posts/41"
    nav = ('<nav class="post-nav"><a rel="prev" href="/posts/40">← Older</a> '
           '<a rel="next" href="/posts/42">Newer →</a></nav>')
    assert discover_pages(article(after=nav), url) == [url]


def test_next_links_and_page_counts_in_other_languages() -> None:
    url = "https://www.example.ru/articles/dolgaya-istoriya?page=2"
    pager = ('<p class="pages-info">Страница 2 из 3</p><a href="/articles/dolgaya-istoriya?page=3">'
             'Следующая →</a>')
    assert discover_pages(article(pager, lang=' lang="ru"'), url) == [
        "https://www.example.ru/articles/dolgaya-istoriya?page=1", url,
        "https://www.example.ru/articles/dolgaya-istoriya?page=3"]
    url = "https://www.example.pl/artykul/dluga-historia"
    pager = '<p>Strona 1 z 2</p><a href="/artykul/dluga-historia?strona=2">Następna</a>'
    assert discover_pages(article(pager, lang=' lang="pl"'), url) == [url, f"{url}?strona=2"]
    for text in ("次へ", "次のページ »", "下一页", "Nächste Seite", "Avanti ›"):
        url = "https://www.example.jp/kiji/nagai-hanashi"
        pager = f'<a href="/kiji/nagai-hanashi?page=2">{text}</a>'
        assert discover_pages(article(pager), url) == [url, f"{url}?page=2"], text


def test_page_dropdown_of_option_urls() -> None:
    """A review split over pages often lists them in a ``<select>`` whose options are the pages'
    URLs (a script navigates on change): every option is a page."""
    base = "https://www.example.com/reviews/gpu-review,5678"
    options = "".join(
        f'<option value="{base}{suffix}.html"{selected}>Page {n}: {title}</option>'
        for n, suffix, selected, title in ((1, "", "", "Introduction"),
                                           (2, "-2", " selected", "Benchmarks"),
                                           (3, "-3", "", "Power and noise"),
                                           (4, "-4", "", "Verdict")))
    jump = ('<div class="page-jump"><label>Jump to:</label> <select onchange="window.location='
            f'this.value">{options}</select></div>')
    sort = ('<select name="orderby"><option value="?orderby=date">Newest</option>'
            '<option value="?orderby=rating">Rating</option></select>')
    assert discover_pages(article(jump, after=sort), f"{base}-2.html") == [
        f"{base}.html", f"{base}-2.html", f"{base}-3.html", f"{base}-4.html"]


def test_archive_dropdown_is_not_a_pager() -> None:
    options = "".join(f'<option value="https://blog.example.com/2021/{m:02d}/">{m}/2021</option>'
                      for m in range(1, 13))
    widget = (f'<aside class="widget widget_archive"><select name="archive-dropdown">{options}'
              "</select></aside>")
    url = "https://blog.example.com/2021/03/my-post/"
    assert discover_pages(article(after=widget), url) == [url]
    twice = ('<select name="share"><option value="/2021/03/my-post/2/">Share</option>'
             '<option value="/2021/03/my-post/2/">Share again</option></select>')
    assert discover_pages(article(twice), url) == [url]


def test_page_files_numbered_in_the_articles_folder() -> None:
    """``/reports/harbour-fire/2.html``: the page's number is the file name, and page 1 is the
    folder itself (or ``1.html``)."""
    base = "https://www.example.com/reports/harbour-fire/"
    pager = ('<div class="pages"><a href="./">1</a> <b>2</b> <a href="3.html">3</a> '
             '<a href="3.html">Next</a></div>')
    assert discover_pages(article(pager), f"{base}2.html") == [base, f"{base}2.html", f"{base}3.html"]
    pager = '<div class="pages"><b>1</b> <a href="2.html">2</a></div>'
    assert discover_pages(article(pager), base) == [base, f"{base}2.html"]
    assert discover_pages(article(pager), f"{base}1.html") == [f"{base}1.html", f"{base}2.html"]


def test_wordpress_core_page_links_are_pages() -> None:
    """``wp_link_pages()`` sets a post's pages in ``p.post-nav-links``: not the post navigation."""
    url = "https://blog.example.com/2021/03/my-post/"
    links = ('<p class="post-nav-links">Pages: <span class="post-page-numbers current" aria-current='
             f'"page">1</span> <a href="{url}2/" class="post-page-numbers">2</a></p>')
    assert discover_pages(article(links), url) == [url, f"{url}2/"]


def test_bloggers_newer_and_older_post_links_are_other_posts() -> None:
    """Blogger names a post whose title has no Latin letters ``blog-post_12.html``: its pager's
    links to the newer and older posts (``blog-post_25.html``, ``blog-post.html``) have this
    page's shape, and their text may be anything ("次の投稿", an icon)."""
    url = "https://kotoba.blogspot.com/2021/03/blog-post_12.html"
    for newer, older in (("次の投稿", "前の投稿"), ('<i class="fa fa-angle-left"></i>', "")):
        pager = ('<div class="blog-pager" id="blog-pager"><span id="blog-pager-newer-link">'
                 '<a class="blog-pager-newer-link" href="https://kotoba.blogspot.com/2021/03/'
                 f'blog-post_25.html" id="Blog1_blog-pager-newer-link" title="新しい投稿">{newer}</a>'
                 '</span><span id="blog-pager-older-link"><a class="blog-pager-older-link" href="'
                 'https://kotoba.blogspot.com/2021/03/blog-post.html" id="Blog1_blog-pager-older-'
                 f'link" title="前の投稿">{older}</a></span><a class="home-link" href="https://kotoba'
                 '.blogspot.com/">ホーム</a></div>')
        assert discover_pages(article(after=pager, lang=' lang="ja"'), url) == [url], newer
    url = "https://blog.example.com/notes/entry-3.html"
    nav = ('<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous">'
           '<a href="/notes/entry-2.html">←</a></div><div class="nav-next"><a href="/notes/entry-4.html">'
           "→</a></div></div></nav>")
    assert discover_pages(article(after=nav), url) == [url]


def test_page_key_is_one_for_the_urls_of_one_page() -> None:
    assert page_key("https://news.example.com/story") == page_key(
        "https://news.example.com/story?page=1&utm_source=pager#top")
    assert page_key("https://forum.example.org/viewtopic.php?t=8&f=3") == page_key(
        "https://forum.example.org/viewtopic.php?f=3&t=8&start=0")
    assert page_key("https://news.example.com/story") != page_key(
        "https://news.example.com/story?page=2")
    assert page_key("https://blog.example.com/?p=122") != page_key("https://blog.example.com/?p=123")


def test_page_links_that_say_page_and_number() -> None:
    url = "https://www.example.com/report"
    for text in ("Page 2", "[2]", "(2)", "2 »", "Seite 2"):
        pager = f'<p>Pages: <b>1</b> <a href="/report?page=2">{text}</a></p>'
        assert discover_pages(article(pager), url) == [url, f"{url}?page=2"], text
    wrong = '<p>Pages: <b>1</b> <a href="/report?page=3">Page 2</a></p>'
    assert discover_pages(article(wrong), url) == [url]


def test_a_sidebar_widgets_own_pager_is_not_the_articles() -> None:
    """A widget paged on the server links this URL with a page parameter: it pages the
    widget's list, not the article."""
    widget = ('<aside id="secondary" class="widget-area"><section class="widget popular-posts">'
              '<h2 class="widget-title">Popular</h2><ul><li><a href="/news/other-story">Other '
              'story</a></li></ul><div class="widget-pagination"><span>1</span> <a href="?pg=2">2'
              '</a> <a href="?pg=3">3</a> <a href="?pg=2" rel="next">›</a></div></section></aside>')
    html = article().replace('<div id="footer">', f'{widget}<div id="footer">')
    url = "https://www.example.org/news/budget-vote"
    assert discover_pages(html, url) == [url]
    pager = '<div class="page-links"><b>1</b> <a href="?pg=2">2</a></div>'
    html = article(pager).replace('<div id="footer">', f'{widget}<div id="footer">')
    assert discover_pages(html, url) == [url, f"{url}?pg=2"]
    # A layout class on the content's wrapper says where the sidebar goes: it is no sidebar.
    html = html.replace('<div id="content">', '<div id="content" class="sidebar-right">')
    assert discover_pages(html, url) == [url, f"{url}?pg=2"]


def test_numbered_parts_of_a_series_are_other_articles() -> None:
    """``saga-part-2.html`` numbers the articles of a series, each with its own title, not pages
    of this one, even behind a bare "Next ›"."""
    url = "https://blog.example.com/2021/03/saga-part-1.html"
    nav = ('<div class="series-links"><a href="/2021/03/saga-part-2.html">Next ›</a></div>')
    assert discover_pages(article(nav), url) == [url]
    assert page_number(url) is None


def test_joomla_pagebreak_pages() -> None:
    """Joomla's pagebreak plugin pages an article with ``limitstart`` (0 for page 1), a page
    index that counts like an offset."""
    base = "https://www.example.gr/index.php?option=com_content&view=article&id=57&Itemid=112"
    pager = ('<div class="pagenavcounter">Page 1 of 3</div><div class="pager"><ul>'
             f'<li><a href="{base.replace("&", "&amp;")}&amp;limitstart=1">Next</a></li></ul></div>')
    assert discover_pages(article(pager), base) == [
        base, f"{base}&limitstart=1", f"{base}&limitstart=2"]


def test_arrow_only_next_links() -> None:
    url = "https://www.example.com/long-read"
    for arrow in ("❯", "▶", "►", "〉", "⟩", "» »"):
        pager = f'<p class="read-on"><a href="/long-read?page=2">{arrow}</a></p>'
        assert discover_pages(article(pager), url) == [url, f"{url}?page=2"], arrow


def test_a_superscript_digit_is_no_page_number() -> None:
    url = "https://news.example.com/notes?page=%C2%B2"
    assert page_number(url) is None
    assert discover_pages(article('<div class="pages"><a href="/notes?page=%C2%B3">3</a></div>'), url) == [url]


def test_wordpress_adjacent_post_links_in_the_head_are_other_posts() -> None:
    """WordPress's ``adjacent_posts_rel_link_wp_head`` links the previous and next posts from
    the head, titled with their headlines; with numeric permalinks (``/archives/12``) their URLs
    have this post's shape."""
    head = ("<link rel='prev' title='Spring planting notes' href='https://garden.example.org/archives/11' />"
            "<link rel='next' title='Tomatoes in June' href='https://garden.example.org/archives/14' />")
    url = "https://garden.example.org/archives/12"
    assert discover_pages(article(head=head), url) == [url]
    url = "https://garden.example.org/2021/05/tomatoes/"
    for paged in (f'<link rel="next" href="{url}2/" />', f'<link rel="next" title="Page 2" href="{url}2/" />'):
        assert discover_pages(article(head=paged), url) == [url, f"{url}2/"], paged


def test_one_page_more_limited_is_the_window_of_the_limit() -> None:
    """The pipeline asks for one page more than its limit, to know whether there are more, and
    limits the answer itself: the same window as asking for the limit."""
    links = "".join(f'<a href="/long?page={n}">{n}</a> ' for n in range(1, 9))
    html = article(f'<div class="pager">{links}</div>')
    for current in (1, 2, 3, 4, 8):
        url = f"https://news.example.com/long?page={current}"
        assert limit_pages(discover_pages(html, url, max_pages=4), url, 3) == discover_pages(
            html, url, max_pages=3), current


def test_pages_linked_on_the_www_twin_or_over_the_other_scheme() -> None:
    """A site reached as ``example.com`` links its pages as ``https://www.example.com/...``
    (its canonical host), an old one as ``http://``: the same site, so the same article."""
    pager = ('<div class="pagination"><b>1</b> <a href="https://www.example.com/story?page=2">2</a> '
             '<a href="http://example.com/story?page=3">3</a></div>')
    url = "https://example.com/story"
    assert discover_pages(article(pager), url) == [
        url, "https://www.example.com/story?page=2", "http://example.com/story?page=3"]
    other = '<div class="pagination"><b>1</b> <a href="https://blog.example.com/story?page=2">2</a></div>'
    assert discover_pages(article(other), url) == [url]
