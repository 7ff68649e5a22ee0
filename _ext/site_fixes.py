"""Small fixes to the site as readers meet it.

- Each figure's image gets its caption as alt text (myst-nb leaves the file path there).
- A script added twice to a page (sphinx-thebe's configuration is, under Jupyter Book 1)
  is kept once, so the page does not log "Identifier ... has already been declared".
- The bibliography's citation lists lose ``role="list"``: their entries are ``doc-biblioentry``,
  not list items, and screen readers (and axe) expect a list's children to be items.
"""

from docutils import nodes
from sphinx.transforms import SphinxTransform


class CaptionAsAltText(SphinxTransform):
    default_priority = 900

    def apply(self, **kwargs):
        for figure in self.document.findall(nodes.figure):
            caption = figure.next_node(nodes.caption)
            text = " ".join(caption.astext().split()) if caption is not None else ""
            for image in figure.findall(nodes.image):
                alt = image.get("alt", "")
                if text and (not alt or alt == image.get("uri") or "/" in alt or "." in alt[-5:]):
                    image["alt"] = text


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script) or ""), attributes.get("body"))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def unlist_citations(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and 'role="list" class="citation-list"' in body:
        context["body"] = body.replace(
            'role="list" class="citation-list"', 'class="citation-list"'
        )


def setup(app):
    app.add_transform(CaptionAsAltText)
    app.connect("html-page-context", dedupe_scripts, priority=100)
    app.connect("html-page-context", unlist_citations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
