"""Server-side rewriting of archived HTML: the cases the replay API tests do not reach."""

from __future__ import annotations

import lxml.html

from archivist.core.rewrite import rewrite_css, rewrite_html

PAGE = "http://news.example.org/2024/story.html"


def _link(url: str, modifier: str) -> str:
    return f"/web/20240101000000{modifier}/{url}"


def _rewritten(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(rewrite_html(html.encode(), page_url=PAGE, link=_link))


def test_srcset_urls_may_contain_commas() -> None:
    """A srcset candidate's URL runs to the next whitespace (HTML's srcset parsing): image CDN
    URLs carry commas (``w_400,h_300``) and ``data:`` URLs always do."""
    doc = _rewritten(
        '<img id="cdn" srcset="https://cdn.example.net/w_400,h_300/a.jpg 400w,https://cdn.example.net/w_800,h_600/a.jpg 800w">'
        '<img id="inline" srcset="data:image/gif;base64,R0lGODlhAQABAAAAACw= 1x, big.png 2x">'
        '<img id="tight" srcset="small.png 1x,large.png 2x">'
        '<link id="preload" rel="preload" as="image" imagesrcset="hero.jpg 1x, hero@2x.jpg 2x">'
    )
    assert doc.get_element_by_id("cdn").get("srcset") == (
        "/web/20240101000000im_/https://cdn.example.net/w_400,h_300/a.jpg 400w, "
        "/web/20240101000000im_/https://cdn.example.net/w_800,h_600/a.jpg 800w"
    )
    assert doc.get_element_by_id("inline").get("srcset") == (
        "data:image/gif;base64,R0lGODlhAQABAAAAACw= 1x, /web/20240101000000im_/http://news.example.org/2024/big.png 2x"
    )
    assert doc.get_element_by_id("tight").get("srcset") == (
        "/web/20240101000000im_/http://news.example.org/2024/small.png 1x, "
        "/web/20240101000000im_/http://news.example.org/2024/large.png 2x"
    )
    assert doc.get_element_by_id("preload").get("imagesrcset") == (
        "/web/20240101000000im_/http://news.example.org/2024/hero.jpg 1x, "
        "/web/20240101000000im_/http://news.example.org/2024/hero@2x.jpg 2x"
    )


def test_inline_svg_images_and_sprites_are_rewritten() -> None:
    page = (b'<html><body><svg><image xlink:href="img/a.png" width="10"/><use href="icons.svg#star"/>'
            b'<use xlink:href="#local"/><a xlink:href="/next">next</a></svg></body></html>')
    out = rewrite_html(page, page_url="http://example.org/story/", link=_link).decode()
    assert 'xlink:href="/web/20240101000000im_/http://example.org/story/img/a.png"' in out
    assert 'href="/web/20240101000000im_/http://example.org/story/icons.svg#star"' in out
    assert 'xlink:href="#local"' in out
    assert 'xlink:href="/web/20240101000000/http://example.org/next"' in out


def test_image_set_strings_are_rewritten_and_its_urls_once() -> None:
    css = ('.a { background-image: image-set("a.png" 1x, url(b.png) 2x); }\n'
           '.b { background: -webkit-image-set(\'c.png\' 1x) no-repeat; content: "not a url"; }')
    out = rewrite_css(css, base_url="http://example.org/s/", link=_link)
    assert 'image-set("/web/20240101000000im_/http://example.org/s/a.png" 1x, url(/web/20240101000000im_/http://example.org/s/b.png) 2x)' in out
    assert "-webkit-image-set('/web/20240101000000im_/http://example.org/s/c.png' 1x)" in out
    assert 'content: "not a url"' in out
