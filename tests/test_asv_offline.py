"""asv_bench/publish_offline.py makes asv's report load nothing from the network.

The rewrite runs on a copy of the installed asv's own ``www/`` folder (what ``asv publish`` copies
into the report before it adds the results), so no benchmark has to run. Skipped without asv, which
``.[test]`` does not install (``pip install -e '.[bench]'`` does).
"""

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

asv = pytest.importorskip("asv", reason="asv is not installed: pip install -e '.[bench]'")

ROOT = Path(__file__).parents[1]
WWW = Path(asv.__file__).parent / "www"

_spec = importlib.util.spec_from_file_location("publish_offline", ROOT / "asv_bench" / "publish_offline.py")
publish_offline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(publish_offline)

#: Each ``<script ... src=...>`` and ``<link ... href=...>`` of a page: (tag, its attributes' text, the address).
TAG = re.compile(r"""<(script|link)\b([^>]*?)\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


@pytest.fixture
def report(tmp_path):
    """A copy of the installed asv's www/ folder, as ``asv publish`` starts the report."""
    html = tmp_path / "html"
    shutil.copytree(WWW, html)
    return html


def test_asv_page_loads_its_libraries_from_the_vendored_copy(report):
    before = (report / "index.html").read_text(encoding="utf-8")
    remote_before = [url for _, _, url in TAG.findall(before) if re.match(r"(https?:)?//", url)]
    assert remote_before, "asv's index.html no longer loads anything from a CDN: is this script still needed?"

    assert publish_offline.make_offline(report) == len(remote_before)

    page = (report / "index.html").read_text(encoding="utf-8")
    tags = TAG.findall(page)
    assert [url for _, _, url in tags if re.match(r"(?i)(https?:)?//", url)] == []
    assert not re.search(r"\b(integrity|crossorigin)\s*=", page)
    for tag, attributes, url in tags:
        if tag.lower() == "link" and "alternate" in attributes:
            continue  # regressions.xml, the feed asv publish writes beside the page
        assert (report / url).is_file(), url
    assert publish_offline.offline_problems(report) == []
    # The vendored stylesheet's own references (Bootstrap's glyph fonts) came along.
    fonts = report / publish_offline.TARGET / "bootstrap-3.1.1" / "fonts"
    assert (fonts / "glyphicons-halflings-regular.woff").is_file()


def test_rewriting_twice_changes_nothing_more(report):
    publish_offline.make_offline(report)
    once = (report / "index.html").read_text(encoding="utf-8")
    assert publish_offline.main(["--rewrite-only", "--html-dir", str(report)]) == 0
    assert (report / "index.html").read_text(encoding="utf-8") == once


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.example.org/newlib-9.9.min.js"></script>',
        '<link rel="stylesheet" href="//cdn.example.org/newlib-9.9.css">',
        "<img src='http://cdn.example.org/newlib-9.9.png'>",
    ],
)
def test_an_unknown_remote_address_is_refused_by_name(report, tag, capsys):
    page = report / "index.html"
    text = page.read_text(encoding="utf-8").replace("</head>", f"{tag}\n</head>", 1)
    page.write_text(text, encoding="utf-8")
    url = re.search(r"""(?:src|href)=["']([^"']+)""", tag).group(1)

    with pytest.raises(publish_offline.OfflineError, match=re.escape(url)):
        publish_offline.make_offline(report)
    assert page.read_text(encoding="utf-8") == text  # nothing half rewritten

    assert publish_offline.main(["--rewrite-only", "-o", str(report)]) == 1
    assert url in capsys.readouterr().err


def test_a_remote_import_in_a_stylesheet_is_refused(report):
    (report / "extra.css").write_text('@import url("https://fonts.example.org/css?family=X");\n', encoding="utf-8")
    with pytest.raises(publish_offline.OfflineError, match=re.escape("https://fonts.example.org/css?family=X")):
        publish_offline.make_offline(report)


def test_another_build_of_a_pinned_file_is_refused(report):
    """asv's integrity hash for jQuery no longer matching the vendored copy means asv moved to another build."""
    page = report / "index.html"
    text = page.read_text(encoding="utf-8")
    changed = re.sub(r'(jquery-3\.3\.1\.min\.js" integrity=")[^"]+', r"\1sha256-AAAA", text)
    assert changed != text
    page.write_text(changed, encoding="utf-8")
    with pytest.raises(publish_offline.OfflineError, match="integrity hash given for https://code.jquery.com/"):
        publish_offline.make_offline(report)


def test_each_vendored_file_keeps_its_licence_beside_it():
    for url, asset in publish_offline.KNOWN.items():
        file = publish_offline.VENDOR / asset.path
        assert file.is_file(), url
        library = publish_offline.VENDOR / Path(asset.path).parts[0]
        assert list(library.glob("LICENSE*")), library
        assert f"`{library.name}/`" in (publish_offline.VENDOR / "README.md").read_text(encoding="utf-8")
