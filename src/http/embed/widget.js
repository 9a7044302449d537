// Innohaku "similar practices" widget: a dependency-free web component.
//
//   <script src="https://innohaku.example/widget.js" defer></script>
//   <innohaku-similar document="ID" lang="fi" limit="5"></innohaku-similar>
//   <innohaku-similar text="Perhekeskus ja neuvola..." theme="family_centres"></innohaku-similar>
//
// Everything from the API is rendered as text (textContent), never as HTML. Styles are a
// constructed stylesheet in the shadow root, so a host page's strict Content-Security-Policy
// (no inline styles or scripts) does not block them; hosts theme it with --innohaku-* custom
// properties.
(() => {
  "use strict";
  if (customElements.get("innohaku-similar")) return;
  const script = document.currentScript;
  const API = script && script.src ? new URL(script.src).origin : location.origin;

  // Interface text in fi, sv and en: the server puts `strings.json` here, the same text the
  // iframe version uses.
  const STRINGS = /*STRINGS*/ {};

  // Neutral styling; every colour meets WCAG 2.1 AA contrast on the default background.
  const CSS = `
    :host { display: block; font: var(--innohaku-font, inherit); color: var(--innohaku-color, #1f2328);
      background: var(--innohaku-background, transparent); }
    section { border: 1px solid var(--innohaku-border, #c9ced6); border-radius: var(--innohaku-radius, 6px);
      padding: var(--innohaku-padding, 1rem); }
    h2 { font-size: var(--innohaku-heading-size, 1.15em); margin: 0 0 .75rem; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { padding: .6rem 0; border-top: 1px solid var(--innohaku-border, #c9ced6); }
    li:first-child { border-top: 0; padding-top: 0; }
    a { color: var(--innohaku-link, #0b4fa8); text-decoration: underline; text-underline-offset: .15em; }
    a:hover { color: var(--innohaku-link-hover, #06306a); }
    a:focus-visible { outline: 3px solid var(--innohaku-focus, #b3261e); outline-offset: 2px; border-radius: 2px; }
    .title { font-weight: 600; }
    .meta, .why, .status, .more, .credit { color: var(--innohaku-muted, #4a5260); font-size: .9em; margin: .2rem 0 0; }
    .summary { margin: .3rem 0 0; font-size: .95em; }
    .hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;
  let sheet = null;
  function styles() {
    if (!sheet && "adoptedStyleSheets" in Document.prototype) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    return sheet;
  }

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  // Only web links: a document's URL never becomes a javascript: or data: link.
  function safeUrl(url) {
    try {
      const u = new URL(url);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch {
      return null;
    }
  }

  class InnohakuSimilar extends HTMLElement {
    static get observedAttributes() {
      return ["document", "text", "text-from", "theme", "target-group", "home-region", "lang", "limit",
        "kind", "region", "region-mode", "heading", "heading-level"];
    }

    constructor() {
      super();
      this.root = this.attachShadow({ mode: "open" });
      const s = styles();
      if (s) this.root.adoptedStyleSheets = [s];
      this.request = 0;
    }

    connectedCallback() { this.load(); }

    attributeChangedCallback() { if (this.isConnected) this.load(); }

    strings() { return STRINGS[this.getAttribute("lang")] || STRINGS.fi; }

    url() {
      const lang = STRINGS[this.getAttribute("lang")] ? this.getAttribute("lang") : "fi";
      const q = new URLSearchParams({ lang, limit: this.getAttribute("limit") || "5" });
      for (const name of ["kind", "region", "region-mode"]) {
        const v = this.getAttribute(name);
        if (v) q.set(name.replace("-", "_"), v);
      }
      const id = this.getAttribute("document");
      if (id) return `${API}/v1/documents/${encodeURIComponent(id)}/similar?${q}`;
      let text = this.getAttribute("text") || "";
      const from = this.getAttribute("text-from");
      if (!text && from) {
        const source = document.querySelector(from);
        text = source ? source.textContent.replace(/\s+/g, " ").trim().slice(0, 4000) : "";
      }
      if (text) q.set("text", text);
      for (const name of ["theme", "target-group", "home-region"]) {
        const v = this.getAttribute(name);
        if (v) q.set(name.replace("-", "_"), v);
      }
      return `${API}/v1/similar?${q}`;
    }

    async load() {
      const t = this.strings();
      const ticket = ++this.request;
      const level = Math.min(6, Math.max(2, Number(this.getAttribute("heading-level")) || 2));
      const section = el("section", null, { "aria-labelledby": "heading" });
      section.append(el(`h${level}`, this.getAttribute("heading") || t.heading, { id: "heading" }));
      const status = el("p", t.loading, { class: "status", role: "status" });
      section.append(status);
      this.root.replaceChildren(section);
      this.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(this.url(), { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        if (ticket !== this.request) return;
        this.render(section, status, data, t);
      } catch (error) {
        if (ticket !== this.request) return;
        status.textContent = t.failed;
        this.dispatchEvent(new CustomEvent("innohaku-error", { detail: String(error) }));
      } finally {
        if (ticket === this.request) this.removeAttribute("aria-busy");
      }
    }

    render(section, status, data, t) {
      if (!data.results.length) {
        status.textContent = t.empty;
        return;
      }
      status.textContent = "";
      status.classList.add("hidden");
      const list = el("ul", null, { role: "list" });
      for (const item of data.results) list.append(this.item(item, t));
      section.append(list);
      if (data.translations.length) {
        const more = el("p", `${t.translations}: `, { class: "more" });
        data.translations.forEach((tr, i) => {
          if (i) more.append(", ");
          more.append(this.link(tr, t));
        });
        section.append(more);
      }
      const credit = el("p", null, { class: "credit" });
      credit.append(this.link({ title: t.source, url: `${API}/` }, t));
      section.append(credit);
      this.dispatchEvent(new CustomEvent("innohaku-loaded", { detail: { count: data.results.length } }));
    }

    link(doc, t) {
      const href = safeUrl(doc.url) || `${API}/?doc=${encodeURIComponent(doc.id)}`;
      const a = el("a", null, { href, target: "_blank", rel: "noopener noreferrer" });
      const name = el("span", doc.title);
      if (doc.language) name.setAttribute("lang", doc.language);
      a.append(name, el("span", ` ${t.newTab}`, { class: "hidden" }));
      return a;
    }

    item(item, t) {
      const li = el("li");
      const title = el("p", null, { class: "title" });
      title.append(this.link(item, t));
      li.append(title);
      const meta = [t.kind[item.kind] || item.kind, ...item.regions.map((r) => r.label)];
      if (item.phase) meta.push(item.phase.label);
      li.append(el("p", meta.join(" · "), { class: "meta" }));
      li.append(el("p", item.summary, { class: "summary", lang: item.language }));
      const r = item.reasons;
      const why = [];
      if (r.link) why.push(r.link.relation === "shared" ? t.shared : t.named);
      if (r.themes.length) why.push(`${t.themes}: ${r.themes.map((x) => x.label).join(", ")}`);
      if (r.terms.length) why.push(`${t.terms}: ${r.terms.join(", ")}`);
      if (r.same_region) why.push(t.region);
      if (why.length) li.append(el("p", why.join(" · "), { class: "why" }));
      return li;
    }
  }

  customElements.define("innohaku-similar", InnohakuSimilar);
})();
