"""Drive the built site in headless Chromium, offline, as a reader would (see test_book.py).

Everything a page is checked for is measured by :func:`inspect_page` in the browser and
returned as plain data, so that the tests can assert on it and print it.
"""

import contextlib
import functools
import http.server
import os
import pathlib
import shutil
import threading

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDE = {"width": 1400, "height": 900}

# Measured in the page once MathJax has finished: math, boxes that scroll or clip, images,
# animations. Returns a JSON-able dict.
INSPECT_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const mathSources = document.querySelectorAll('span.math, div.math');
  const containers = document.querySelectorAll('mjx-container');
  const mathErrors = document.querySelectorAll('mjx-merror').length;
  const rawTex = [...mathSources].filter(
    el => !el.querySelector('mjx-container') && /\\\\[(\\[]|\\$/.test(el.textContent)
  ).length;
  const clipped = [];
  for (const el of document.querySelectorAll('mjx-container[display="true"], div.math')) {
    const box = el.closest('div.math') || el;
    if (box.scrollWidth > box.clientWidth + 2) {
      const ox = getComputedStyle(box).overflowX;
      if (ox !== 'auto' && ox !== 'scroll') {
        clipped.push(box.textContent.slice(0, 60));
      }
    }
  }
  const scrolling = [];
  for (const pre of document.querySelectorAll('div.cell pre, div.highlight pre')) {
    if (pre.scrollWidth > pre.clientWidth + 2 && pre.offsetParent !== null) {
      scrolling.push(pre.textContent.split('\\n').sort((a, b) => b.length - a.length)[0]
                     .slice(0, 80));
    }
  }
  const images = [...document.querySelectorAll('article img')].map(img => ({
    src: img.getAttribute('src') || '', alt: img.getAttribute('alt') || '',
    width: img.naturalWidth, shown: img.clientWidth, complete: img.complete,
  }));
  // TeX that escaped MathJax: text outside formulas and code that still reads like LaTeX.
  const texLeaks = [];
  const article = document.querySelector('article') || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const texWord = new RegExp('\\\\\\\\(' + ['frac', 'top', 'lambda', 'sum', 'mathbb', 'mathbf',
    'operatorname', 'left', 'right', 'alpha', 'beta', 'sigma', 'hat', 'bar', 'tilde', 'sqrt',
    'lVert', 'leftarrow'].join('|') + ')(?![a-zA-Z])');
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('mjx-container, pre, code, script, style, .math')) continue;
    const m = node.textContent.match(texWord);
    if (m) {
      const at = Math.max(0, m.index - 30);
      texLeaks.push(node.textContent.slice(at, at + 70));
    }
  }
  const mathjaxScripts = [...document.querySelectorAll('script[src*="mathjax"]')]
    .map(s => s.getAttribute('src'));
  return {mathSources: mathSources.length, containers: containers.length, mathErrors,
          rawTex, texLeaks, clipped, scrolling, images, mathjaxScripts,
          animations: document.querySelectorAll('.animation').length};
}
"""

# Press "play" on the first animation and report whether its frame changed.
PLAY_JS = """
async () => {
  const anim = document.querySelector('.animation');
  if (!anim) return null;
  const img = anim.querySelector('img');
  const before = img.getAttribute('src');
  const play = [...anim.querySelectorAll('button')].find(
    b => (b.getAttribute('title') || '') === 'Play'
  );
  if (!play) return {played: false, reason: 'no play button'};
  play.click();
  await new Promise(r => setTimeout(r, 1200));
  return {played: img.getAttribute('src') !== before};
}
"""


def chromium_path():
    """The system Chromium (Debian's package), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on a free localhost port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# preload: false keeps axe from re-fetching stylesheets itself (it resolves their @import
# against the page, not the stylesheet, and logs a 404 that is not the site's).
AXE_JS = """
async () => (await axe.run(document, {resultTypes: ['violations'], preload: false})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
              where: v.nodes.slice(0, 2).map(n => n.target.join(' '))}))
"""


def axe_script():
    """axe-core's script, as shipped by axe-playwright-python, or None."""
    try:
        import axe_playwright_python
    except ImportError:
        return None
    path = pathlib.Path(axe_playwright_python.__file__).parent / "axe.min.js"
    return path if path.exists() else None


def _axe_violations(page):
    """Serious and critical accessibility violations on the page (axe-core), or None."""
    script = axe_script()
    if script is None:
        return None
    page.add_script_tag(path=str(script))
    return page.evaluate(AXE_JS)


def inspect_site(html_dir, pages, screenshots=None):
    """Open every page offline in Chromium; return {page: measurements}."""
    from playwright.sync_api import sync_playwright

    results = {}
    with serve(html_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=WIDE)
        offsite = []

        def route(request_route):
            url = request_route.request.url
            if url.startswith(base) or url.startswith("data:"):
                request_route.continue_()
            else:
                offsite.append(url)
                request_route.abort()

        context.route("**/*", route)
        for rel in pages:
            page = context.new_page()
            errors = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else 0)
            page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
            offsite.clear()
            page.goto(f"{base}/{rel}", wait_until="load")
            data = page.evaluate(INSPECT_JS)
            data["played"] = page.evaluate(PLAY_JS) if data["animations"] else None
            data["axe"] = _axe_violations(page)
            data["errors"] = list(errors)
            data["offsite"] = list(offsite)
            if screenshots is not None:
                shot = pathlib.Path(screenshots) / (rel.replace("/", "__") + ".png")
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot))
            results[rel] = data
            page.close()
        browser.close()
    return results


def search_snippets(html_dir, query):
    """Run the site's own search for ``query`` offline; return the result lines' text."""
    from playwright.sync_api import sync_playwright

    with serve(html_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/search.html?q={query}")
        page.wait_for_selector("ul.search li p", timeout=60_000)
        page.wait_for_timeout(2000)  # the summaries of later results arrive one by one
        texts = [li.inner_text() for li in page.query_selector_all("ul.search li")]
        browser.close()
    return texts


def require_browser():
    """True if the browser test must run (CI sets MLNOTES_REQUIRE_BROWSER=1)."""
    return os.environ.get("MLNOTES_REQUIRE_BROWSER") == "1"
