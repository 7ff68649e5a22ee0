// Search results quote the chapter text around the match. Sphinx takes the snippet from the
// page's whole [role=main] element, which in this theme also holds the launch buttons
// ("...Binder") and the in-page table of contents; drop those before it looks.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const original = Search.htmlToText;
  const chrome = [
    ".bd-header-article", ".bd-sidebar-secondary", ".bd-toc", ".prev-next-area",
    "nav", "footer", ".toctree-wrapper",
  ];
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    for (const query of chrome) doc.querySelectorAll(query).forEach((el) => el.remove());
    return original(doc.documentElement.outerHTML, anchor);
  };
});
