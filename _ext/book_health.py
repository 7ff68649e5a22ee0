"""The book-health page: what the build itself measured, chapter by chapter.

The directive ``{book-health}`` leaves a placeholder that is filled once every notebook has
executed: for each chapter of ``_toc.yml``, its execution time in this build (myst-nb's
records), the number of checks that passed (output lines starting with ✓), the checks of its
Comparison section (agreement with the reference library) and the speed ratios it printed
there; then the build's date and the git commit it was built from.
"""

import datetime
import re
import subprocess

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

RATIO = re.compile(r"(ratio|×)", re.I)


class HealthNode(nodes.General, nodes.Element):
    """Placeholder replaced by the health table after every notebook has run."""


class HealthDirective(SphinxDirective):
    def run(self):
        self.env.mlnotes_health_docs = getattr(self.env, "mlnotes_health_docs", set())
        self.env.mlnotes_health_docs.add(self.env.docname)
        return [HealthNode()]


def _outputs(node):
    """Text of the executed outputs (not the source) below ``node``."""
    texts = []
    for block in node.findall(nodes.literal_block):
        classes = " ".join(block.get("classes", []))
        parent = " ".join(block.parent.get("classes", [])) if block.parent else ""
        if "output" in classes or "output" in parent or "stream" in classes:
            texts.append(block.astext())
    return "\n".join(texts).splitlines()


def _comparison_section(doctree):
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is not None and title.astext().startswith("Comparison with"):
            return section
    return None


def chapter_health(env, docname):
    """(title, seconds, n_checks, comparison lines, ratio lines) for one chapter."""
    doctree = env.get_doctree(docname)
    title = env.titles[docname].astext() if docname in env.titles else docname
    exec_data = env.nb_metadata[docname].get("exec_data") if hasattr(env, "nb_metadata") else None
    seconds = exec_data.get("runtime") if exec_data else None
    lines = _outputs(doctree)
    n_checks = sum(line.lstrip().startswith("✓") for line in lines)
    section = _comparison_section(doctree)
    compare = _outputs(section) if section is not None else []
    agree = [line.strip() for line in compare if line.lstrip().startswith("✓")]
    ratios = [line.strip() for line in compare if RATIO.search(line) and "✓" not in line]
    return title, seconds, n_checks, agree, ratios


def _cell(content):
    entry = nodes.entry()
    if isinstance(content, nodes.Node):
        entry += content
    else:
        items = content if isinstance(content, list) else [content]
        for item in items:
            entry += nodes.paragraph(text=str(item))
    return entry


def _table(header, rows):
    table = nodes.table(classes=["colwidths-auto", "book-health"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for name in header:
        row += _cell(name)
    head += row
    body = nodes.tbody()
    group += body
    for values in rows:
        row = nodes.row()
        for value in values:
            row += _cell(value)
        body += row
    return table


def _commit(srcdir):
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=srcdir, capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


class HealthTransform(SphinxPostTransform):
    default_priority = 8  # before references are resolved

    def run(self, **kwargs):
        for node in list(self.document.findall(HealthNode)):
            node.replace_self(self.build())

    def build(self):
        env = self.env
        chapters = [d for d in env.found_docs if d.startswith("notebooks/")]
        order = {d: i for i, d in enumerate(env.toctree_includes.get(env.config.root_doc, []))}
        chapters.sort(key=lambda d: (order.get(d, 1e9), d))
        rows, total_s, total_checks = [], 0.0, 0
        for doc in chapters:
            title, seconds, n_checks, agree, ratios = chapter_health(env, doc)
            link = nodes.paragraph()
            ref = nodes.reference("", title, internal=True)
            ref["refuri"] = self.app.builder.get_relative_uri(env.docname, doc)
            link += ref
            total_s += seconds or 0.0
            total_checks += n_checks
            rows.append(
                [
                    link,
                    "—" if seconds is None else f"{seconds:.1f}",
                    n_checks,
                    agree or ["—"],
                    ratios or ["—"],
                ]
            )
        header = [
            "Chapter",
            "Run time (s)",
            "Checks passed",
            "Agreement with the library",
            "Speed (ours / library)",
        ]
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        summary = nodes.paragraph(
            text=(
                f"{len(chapters)} chapters, {total_checks} checks passed, "
                f"{total_s:.0f} s of execution in total. Built {stamp} from commit "
                f"{_commit(self.app.srcdir)}."
            )
        )
        return [summary, _table(header, rows)]


def always_update(app, env):
    """The health page summarises every chapter: rewrite it on every build."""
    return sorted(getattr(env, "mlnotes_health_docs", set()))


def merge(app, env, docnames, other):
    env.mlnotes_health_docs = getattr(env, "mlnotes_health_docs", set()) | getattr(
        other, "mlnotes_health_docs", set()
    )


def setup(app):
    app.add_node(HealthNode)
    app.add_directive("book-health", HealthDirective)
    app.add_post_transform(HealthTransform)
    app.connect("env-updated", always_update)
    app.connect("env-merge-info", merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
