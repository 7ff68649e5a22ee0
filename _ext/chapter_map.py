"""The chapter map, drawn at build time from ``_toc.yml`` and the links between chapters.

The directive ``{chapter-map}`` becomes an SVG: one column per part, one box per chapter that
exists (a link to it), and a line between two chapters when one links to the other (a
``{doc}`` link, a ``{ref}`` to its ``chap-`` label or a section label inside it). Because it
is drawn from the sources on every build, the map cannot go stale.
"""

import io
import pathlib
import re

import yaml
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective


class MapNode(nodes.General, nodes.Element):
    """Placeholder for the drawn chapter map."""


class MapDirective(SphinxDirective):
    def run(self):
        return [MapNode()]


def read_parts(srcdir):
    """[(caption, [docname, ...]), ...] for the numbered parts of ``_toc.yml``."""
    toc = yaml.safe_load((pathlib.Path(srcdir) / "_toc.yml").read_text())
    return [
        (part["caption"], [c["file"] for c in part["chapters"]])
        for part in toc["parts"]
        if part.get("numbered")
    ]


def chapter_links(srcdir, docs):
    """Undirected pairs of chapters whose sources link to each other."""
    texts = {d: (pathlib.Path(srcdir) / f"{d}.md").read_text(encoding="utf-8") for d in docs}
    labels = {}
    for doc, text in texts.items():
        for label in re.findall(r"^\(([\w-]+)\)=\s*$", text, re.M):
            labels[label] = doc
    pairs = set()
    for doc, text in texts.items():
        targets = set()
        for other in docs:
            slug = other.split("/")[-1]
            if other != doc and re.search(rf"[/`<]{re.escape(slug)}(\.md)?[`>#]", text):
                targets.add(other)
        for label in re.findall(r"\{(?:ref|numref|eq)\}`(?:[^`<]*<)?([\w-]+)>?`", text):
            if labels.get(label, doc) != doc:
                targets.add(labels[label])
        pairs |= {tuple(sorted((doc, t))) for t in targets}
    return sorted(pairs)


def draw_map(parts, titles, links, urls):
    """SVG markup of the map; ``urls`` maps existing chapters to their page."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9}):
        n_rows = max(len(docs) for _, docs in parts)
        fig, ax = plt.subplots(figsize=(2.0 * len(parts), 1.2 + 0.75 * n_rows))
        ax.set_xlim(-0.55, len(parts) - 0.45)
        ax.set_ylim(n_rows - 0.4, -1.05)
        ax.axis("off")
        where = {}
        for col, (caption, docs) in enumerate(parts):
            ax.text(col, -0.7, _wrap(caption, 20), ha="center", va="center", weight="bold")
            for row, doc in enumerate(docs):
                where[doc] = (col, row)
        for a, b in links:
            (x0, y0), (x1, y1) = where[a], where[b]
            bend = 0.35 if x0 == x1 else 0.08
            ax.annotate(
                "",
                (x1, y1),
                (x0, y0),
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#56B4E9",
                    "alpha": 0.6,
                    "lw": 1.2,
                    "connectionstyle": f"arc3,rad={bend}",
                    "shrinkA": 12,
                    "shrinkB": 12,
                },
                zorder=1,
            )
        for doc, (x, y) in where.items():
            exists = doc in urls
            box = FancyBboxPatch(
                (x - 0.44, y - 0.27),
                0.88,
                0.54,
                boxstyle="round,pad=0.02",
                facecolor="#0072B2" if exists else "#f2f2f2",
                edgecolor="#0072B2" if exists else "#bbbbbb",
                lw=1,
                zorder=2,
            )
            ax.add_patch(box)
            label = ax.text(
                x,
                y,
                _wrap(titles.get(doc, doc.split("/")[-1]).split(":")[0]),
                ha="center",
                va="center",
                fontsize=8.5,
                color="white" if exists else "#888888",
                zorder=3,
            )
            if exists:
                box.set_url(urls[doc])
                label.set_url(urls[doc])
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _wrap(title, width=22):
    words, lines, line = title.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


class MapTransform(SphinxPostTransform):
    default_priority = 8

    def run(self, **kwargs):
        for node in list(self.document.findall(MapNode)):
            node.replace_self(self.build())

    def build(self):
        env, srcdir = self.env, self.app.srcdir
        parts = read_parts(srcdir)
        existing = [d for _, docs in parts for d in docs if d in env.found_docs]
        titles = {d: env.titles[d].astext() for d in existing if d in env.titles}
        urls = {d: self.app.builder.get_relative_uri(env.docname, d) for d in existing}
        svg = draw_map(parts, titles, chapter_links(srcdir, existing), urls)
        caption = (
            "The chapters by part. A line joins two chapters when one links to the other; "
            "click a chapter to open it."
        )
        return [
            nodes.raw("", f'<figure class="chapter-map">{svg}</figure>', format="html"),
            nodes.paragraph(text=caption, classes=["caption"]),
        ]


def setup(app):
    app.add_node(MapNode)
    app.add_directive("chapter-map", MapDirective)
    app.add_post_transform(MapTransform)
    app.connect("env-updated", lambda app, env: ["intro"] if "intro" in env.found_docs else [])
    return {"parallel_read_safe": True, "parallel_write_safe": True}
