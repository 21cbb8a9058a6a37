"""The meeting pack as a PDF, rendered from its HTML by WeasyPrint (a maintained HTML/CSS-to-PDF library
that uses the system's Pango for text: Debian's libpango-1.0-0 and libpangoft2-1.0-0, and fonts-noto-cjk for
Chinese, Japanese and Korean text). A4 landscape comes from the page's @page rule."""

from __future__ import annotations


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing; the message says what to install."""


def _weasyprint():
    try:
        import weasyprint
    except ImportError as exc:  # the package itself
        raise PdfUnavailable(f"PDF output needs WeasyPrint ({exc}); install the project's requirements") from exc
    except OSError as exc:  # installed, but cffi could not load Pango (WeasyPrint loads it on import)
        raise PdfUnavailable("PDF output needs the Pango libraries: apt-get install libpango-1.0-0 "
                             f"libpangoft2-1.0-0 ({exc})") from exc
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """The PDF of a pack's HTML (no external resource is fetched: the pack holds none)."""
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf()


def _refuse(url: str, *args, **kwargs):
    """Resources are never fetched while rendering: a pack has none, and data must not reach a URL."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"the pack refers to an outside resource ({url[:60]})")


def available() -> bool:
    """True when PDFs can be made here (WeasyPrint and Pango load)."""
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True
