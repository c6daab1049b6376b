"""Publish the asv report so that it opens without a network connection.

asv 0.6's report (``asv publish``) loads jQuery, flot and its plugins, stupidtable, blueimp-md5 and
Bootstrap from CDNs, so it shows nothing but asv's error page on a machine that is offline. This
script runs ``asv publish`` and then rewrites the published report:

1. it copies ``asv_bench/vendor/`` (the same releases, from the npm registry; see its README.md)
   into the report as ``vendor-offline/``, licences included;
2. it points every CDN ``<script src>`` and ``<link href>`` of the report's HTML at that copy, and
   drops the ``integrity``, ``crossorigin`` and ``referrerpolicy`` attributes, which only concern
   the CDN; where the vendored file is byte for byte the CDN's, the integrity hash that asv's HTML
   gives is checked against it first;
3. it checks the result: no ``<script>``, ``<link>``, ``<img>`` (...) of the HTML nor any ``url()``
   or ``@import`` of its stylesheets may load a remote (``http:``, ``https:`` or ``//``) address,
   and every local script, stylesheet and icon they name must exist.

A remote address the script does not know (say a later asv loads another library) is an error that
names the address and the file, and the script exits with status 1: vendor that library into
``asv_bench/vendor/`` and add it to ``KNOWN`` below, rather than publish a report that needs the
network.

Usage (any working directory; the arguments other than ``--rewrite-only`` go to ``asv publish``)::

    python asv_bench/publish_offline.py                 # asv publish, then the rewrite
    python asv_bench/publish_offline.py --no-pull -o /tmp/report
    python asv_bench/publish_offline.py --rewrite-only  # rewrite a report published already

The report lands in asv's ``html_dir`` (``asv_bench/html`` by asv.conf.json) or the ``-o`` folder.
View it with ``asv preview`` from ``asv_bench/`` (a local web server; no network needed): browsers
refuse the report's requests for its JSON data from a ``file://`` page, with or without this script.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor"
#: The folder of the published report that receives the copy of ``VENDOR``.
TARGET = "vendor-offline"


class Asset(NamedTuple):
    """A vendored file that replaces a CDN address."""

    path: str  #: relative to ``vendor/``
    identical: bool  #: byte for byte the CDN's file, so asv's ``integrity`` hash must match it


#: Every remote address asv 0.6.x's index.html loads, and the vendored file that replaces it. The
#: two flot and stupidtable builds are the same releases unminified (npm has no minified copy).
KNOWN: dict[str, Asset] = {
    "https://code.jquery.com/jquery-3.3.1.min.js": Asset("jquery-3.3.1/jquery.min.js", True),
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.min.js": Asset("flot-0.8.3/jquery.flot.js", False),
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.time.min.js": Asset(
        "flot-0.8.3/jquery.flot.time.js", False
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.selection.min.js": Asset(
        "flot-0.8.3/jquery.flot.selection.js", False
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.categories.min.js": Asset(
        "flot-0.8.3/jquery.flot.categories.js", False
    ),
    "https://cdn.jsdelivr.net/npm/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js": Asset(
        "flot-orderbars-1.0.0/jquery.flot.orderBars.js", True
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/stupidtable/1.0.1/stupidtable.min.js": Asset(
        "stupidtable-1.0.1/stupidtable.js", False
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/blueimp-md5/2.19.0/js/md5.min.js": Asset(
        "blueimp-md5-2.19.0/md5.min.js", True
    ),
    "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/js/bootstrap.min.js": Asset(
        "bootstrap-3.1.1/js/bootstrap.min.js", True
    ),
    "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css": Asset(
        "bootstrap-3.1.1/css/bootstrap.min.css", True
    ),
}

#: The attribute through which each tag makes the browser load something.
LOADING_ATTRIBUTES = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "embed": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
}
#: ``<link rel=...>`` values whose target the page needs (``alternate``, a feed, is only linked).
NEEDED_LINK_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "manifest"}
#: Attributes that only make sense for the CDN copy.
CDN_ATTRIBUTES = re.compile(
    r"""\s+(?:integrity|crossorigin|referrerpolicy)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""", re.IGNORECASE
)
CSS_REFERENCE = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)""", re.IGNORECASE)


class OfflineError(RuntimeError):
    """The report would need the network (or a file it names is missing)."""


def is_remote(url: str) -> bool:
    """Whether the browser would fetch ``url`` over the network (``http:``, ``https:`` or ``//host``)."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme.lower() in {"http", "https", "ftp", "ws", "wss"}


class _Tags(HTMLParser):
    """Collects each loading tag as (tag, attributes, offset of its start in the text, its raw text)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.found: list[tuple[str, dict[str, str], int, str]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag in LOADING_ATTRIBUTES:
            line, column = self.getpos()
            raw = self.get_starttag_text() or ""
            self.found.append((tag, {k: v or "" for k, v in attrs}, self._line_starts[line - 1] + column, raw))

    handle_startendtag = handle_starttag


def _sri_matches(integrity: str, data: bytes) -> bool:
    """Whether ``data`` has one of the hashes of a Subresource Integrity value (``sha256-... sha512-...``)."""
    for token in integrity.split():
        algorithm, _, expected = token.partition("-")
        expected = expected.split("?")[0]
        if algorithm.lower() in {"sha256", "sha384", "sha512"}:
            digest = base64.b64encode(hashlib.new(algorithm.lower(), data).digest()).decode()
            if digest == expected:
                return True
    return False


def rewrite_html(text: str, source: str, prefix: str = TARGET) -> tuple[str, int]:
    """Point the known CDN references of one HTML text at ``prefix/<vendored file>``.

    Returns the new text and the number of references rewritten. Raises ``OfflineError``, naming
    ``source`` and every address, if the text loads a remote address that ``KNOWN`` lacks or if a
    byte-identical vendored file does not match the ``integrity`` hash the text gives for it.
    """
    problems, edits = [], []
    for tag, attributes, start, raw in _Tags(text).found:
        url = attributes.get(LOADING_ATTRIBUTES[tag], "").strip()
        if not url or not is_remote(url):
            continue
        asset = KNOWN.get(url)
        if asset is None:
            problems.append(
                f"{source}: <{tag}> loads {url}, which asv_bench/vendor/ has no copy of: vendor that "
                "package (same version) and add the address to KNOWN in asv_bench/publish_offline.py"
            )
            continue
        vendored = VENDOR / asset.path
        if not vendored.is_file():
            problems.append(f"{source}: {url} maps to {vendored}, which is missing")
            continue
        integrity = attributes.get("integrity", "")
        if asset.identical and integrity and not _sri_matches(integrity, vendored.read_bytes()):
            problems.append(
                f"{source}: the integrity hash given for {url} does not match asv_bench/vendor/{asset.path}: "
                "asv now pins another build of it; vendor that one"
            )
            continue
        local = f"{prefix}/{asset.path}"
        new = re.sub(
            rf"""(\b{LOADING_ATTRIBUTES[tag]}\s*=\s*)(["']?){re.escape(url)}\2""",
            lambda m, local=local: f'{m.group(1)}"{local}"',
            CDN_ATTRIBUTES.sub("", raw),
            count=1,
            flags=re.IGNORECASE,
        )
        if local not in new:
            problems.append(f"{source}: could not rewrite the tag {raw!r}")
            continue
        edits.append((start, raw, new))
    if problems:
        raise OfflineError("the report would need the network:\n  " + "\n  ".join(problems))
    for start, raw, new in sorted(edits, reverse=True):
        assert text[start : start + len(raw)] == raw, (start, raw)
        text = text[:start] + new + text[start + len(raw) :]
    return text, len(edits)


def _local_target(base: Path, url: str) -> Path | None:
    """The file a local reference names, or None for ``data:`` and other non-file addresses."""
    parts = urlsplit(url.strip())
    if parts.scheme or not parts.path:
        return None
    return (base / unquote(parts.path)).resolve()


def offline_problems(html_dir: Path) -> list[str]:
    """What in the report at ``html_dir`` would load from the network, or names a missing local file."""
    html_dir = Path(html_dir)
    problems = []
    for page in sorted(html_dir.rglob("*.html")):
        name = page.relative_to(html_dir).as_posix()
        for tag, attributes, _, _ in _Tags(page.read_text(encoding="utf-8")).found:
            url = attributes.get(LOADING_ATTRIBUTES[tag], "").strip()
            if not url:
                continue
            if is_remote(url):
                problems.append(f"{name}: <{tag}> loads the remote {url}")
                continue
            rels = set(attributes.get("rel", "").lower().split())
            if tag == "link" and not rels & NEEDED_LINK_RELS:
                continue  # e.g. rel="alternate" href="regressions.xml", a feed the page only links to
            target = _local_target(page.parent, url)
            if target is not None and not target.is_file():
                problems.append(f"{name}: <{tag}> names {url}, which is not in the report")
    for sheet in sorted(html_dir.rglob("*.css")):
        name = sheet.relative_to(html_dir).as_posix()
        for match in CSS_REFERENCE.finditer(sheet.read_text(encoding="utf-8", errors="replace")):
            url = match.group(1) or match.group(2)
            if is_remote(url):
                problems.append(f"{name}: loads the remote {url}")
                continue
            target = _local_target(sheet.parent, url)
            if target is not None and not target.is_file():
                problems.append(f"{name}: names {url}, which is not in the report")
    return problems


def make_offline(html_dir: Path) -> int:
    """Copy the vendored files into the published report and rewrite its HTML; returns the references rewritten.

    Raises ``OfflineError`` if an HTML page loads an address ``KNOWN`` lacks (before anything is
    written), or if the result still loads anything remote or names a missing file.
    """
    html_dir = Path(html_dir)
    if not (html_dir / "index.html").is_file():
        raise OfflineError(f"{html_dir} holds no index.html: is it asv's published report?")
    pages = [page for page in sorted(html_dir.rglob("*.html")) if TARGET not in page.relative_to(html_dir).parts]
    rewritten = {}
    for page in pages:
        prefix = "/".join([".."] * (len(page.relative_to(html_dir).parts) - 1) + [TARGET])
        rewritten[page] = rewrite_html(page.read_text(encoding="utf-8"), page.relative_to(html_dir).as_posix(), prefix)
    target = html_dir / TARGET
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(VENDOR, target, ignore=shutil.ignore_patterns(".gitattributes"))
    for page, (text, _) in rewritten.items():
        page.write_text(text, encoding="utf-8")
    problems = offline_problems(html_dir)
    if problems:
        raise OfflineError("the rewritten report still needs the network or misses files:\n  " + "\n  ".join(problems))
    return sum(count for _, count in rewritten.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="asv publish, then rewrite the report to load its libraries from asv_bench/vendor/.",
        epilog="Other arguments (a commit range, --no-pull, -v) are passed to asv publish.",
    )
    parser.add_argument("--config", default=str(HERE / "asv.conf.json"), help="asv's configuration file")
    parser.add_argument("--html-dir", "-o", help="the report's folder (default: html_dir of the configuration)")
    parser.add_argument("--rewrite-only", action="store_true", help="do not run asv publish; rewrite its last report")
    args, rest = parser.parse_known_args(argv)
    config = Path(args.config).resolve()
    if args.html_dir:
        html_dir = Path(args.html_dir).resolve()
    else:
        try:
            from asv.util import load_json
        except ImportError:
            parser.error("asv is not installed (pip install -e '.[bench]'); or name the report with --html-dir")
        html_dir = (config.parent / load_json(str(config), js_comments=True)["html_dir"]).resolve()

    if args.rewrite_only:
        if rest:
            parser.error(f"--rewrite-only takes no asv arguments: {' '.join(rest)}")
    else:
        # asv reads the paths of its configuration relative to the working directory: run it beside the file.
        command = [sys.executable, "-m", "asv", "publish", "--config", str(config), "--html-dir", str(html_dir), *rest]
        done = subprocess.run(command, cwd=config.parent)
        if done.returncode != 0:
            print(f"publish_offline: asv publish failed (exit status {done.returncode})", file=sys.stderr)
            return done.returncode

    try:
        count = make_offline(html_dir)
    except OfflineError as error:
        print(f"publish_offline: error: {error}", file=sys.stderr)
        return 1
    print(
        f"publish_offline: {count} CDN references now load from {html_dir / TARGET}; the report needs no network. "
        f"View it with `asv preview --html-dir {html_dir}` from {config.parent} (a local web server)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
