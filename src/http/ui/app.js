// Innohaku search page: plain JavaScript, no dependencies. State lives in the URL, so
// results are linkable and back/forward work. Text from the API is always set with
// textContent; only the server's highlighted fields (title_html, snippet.html), which the
// server HTML-escapes and marks with <mark>, are inserted as HTML.
(function () {
  "use strict";

  const STRINGS = {
    fi: {
      tagline: "Hae sosiaali- ja terveysalan toimintamalleja, hankkeita ja verkostoja",
      skip: "Siirry sisältöön", searchLabel: "Hae", searchButton: "Hae", filters: "Rajaa hakua",
      sortLabel: "Järjestys", sortRelevance: "Osuvuus", sortNewest: "Uusimmat", sortTitle: "Nimi (A–Ö)",
      previous: "Edellinen", next: "Seuraava", page: (a, b) => `${a}–${b}`,
      results: (n) => `${n} tulosta`, noResults: "Ei tuloksia. Kokeile toista hakusanaa tai poista rajauksia.",
      didYouMean: "Tarkoititko", back: "Takaisin tuloksiin", similar: "Samankaltaisia",
      facets: { kind: "Tyyppi", region: "Alue", theme: "Teema", target_group: "Kohderyhmä", phase: "Vaihe", language: "Kieli", organisation: "Organisaatio", programme: "Ohjelma", year: "Vuosi" },
      fields: { summary: "Tiivistelmä", goals: "Tavoitteet", how_it_works: "Toteutus", resources: "Resurssit", evaluation: "Arviointi ja tulokset", results: "Tulokset", description: "Kuvaus", funder: "Rahoittaja", programme: "Ohjelma", start_date: "Alkaa", end_date: "Päättyy", status: "Tila", phase: "Vaihe", themes: "Teemat", target_groups: "Kohderyhmät", regions: "Alueet", organisations: "Organisaatiot", contact_organisation: "Yhteystaho", projects: "Hankkeet", practices: "Toimintamallit", networks: "Verkostot", translations: "Kieliversiot", url: "Lähde", created_at: "Luotu", updated_at: "Viimeksi muokattu" },
      error: "Haku epäonnistui",
    },
    sv: {
      tagline: "Sök verksamhetsmodeller, projekt och nätverk inom social- och hälsovården",
      skip: "Hoppa till innehållet", searchLabel: "Sök", searchButton: "Sök", filters: "Avgränsa sökningen",
      sortLabel: "Ordning", sortRelevance: "Relevans", sortNewest: "Nyaste", sortTitle: "Namn (A–Ö)",
      previous: "Föregående", next: "Nästa", page: (a, b) => `${a}–${b}`,
      results: (n) => `${n} träffar`, noResults: "Inga träffar. Pröva ett annat sökord eller ta bort avgränsningar.",
      didYouMean: "Menade du", back: "Tillbaka till träffarna", similar: "Liknande",
      facets: { kind: "Typ", region: "Område", theme: "Tema", target_group: "Målgrupp", phase: "Fas", language: "Språk", organisation: "Organisation", programme: "Program", year: "År" },
      fields: { summary: "Sammanfattning", goals: "Mål", how_it_works: "Genomförande", resources: "Resurser", evaluation: "Utvärdering och resultat", results: "Resultat", description: "Beskrivning", funder: "Finansiär", programme: "Program", start_date: "Börjar", end_date: "Slutar", status: "Status", phase: "Fas", themes: "Teman", target_groups: "Målgrupper", regions: "Områden", organisations: "Organisationer", contact_organisation: "Kontakt", projects: "Projekt", practices: "Verksamhetsmodeller", networks: "Nätverk", translations: "Språkversioner", url: "Källa", created_at: "Skapad", updated_at: "Senast ändrad" },
      error: "Sökningen misslyckades",
    },
    en: {
      tagline: "Search practices, projects and networks in social and health care development",
      skip: "Skip to content", searchLabel: "Search", searchButton: "Search", filters: "Refine",
      sortLabel: "Order", sortRelevance: "Relevance", sortNewest: "Newest", sortTitle: "Title (A–Ö)",
      previous: "Previous", next: "Next", page: (a, b) => `${a}–${b}`,
      results: (n) => `${n} results`, noResults: "No results. Try another word or remove filters.",
      didYouMean: "Did you mean", back: "Back to results", similar: "Similar",
      facets: { kind: "Kind", region: "Region", theme: "Theme", target_group: "Target group", phase: "Phase", language: "Language", organisation: "Organisation", programme: "Programme", year: "Year" },
      fields: { summary: "Summary", goals: "Goals", how_it_works: "How it works", resources: "Resources", evaluation: "Evaluation and results", results: "Results", description: "Description", funder: "Funder", programme: "Programme", start_date: "Starts", end_date: "Ends", status: "Status", phase: "Phase", themes: "Themes", target_groups: "Target groups", regions: "Regions", organisations: "Organisations", contact_organisation: "Contact", projects: "Projects", practices: "Practices", networks: "Networks", translations: "Language versions", url: "Source", created_at: "Created", updated_at: "Last modified" },
      error: "The search failed",
    },
  };
  const FACETS = ["kind", "region", "theme", "target_group", "phase", "language", "year", "organisation"];
  const VOCABULARY_OF = { kind: "kind", region: "region", theme: "theme", target_group: "target_group", phase: "phase", language: "language", status: "status", themes: "theme", regions: "region", target_groups: "target_group" };
  const LIMIT = 10;
  const $ = (id) => document.getElementById(id);
  let lang = localStorage.getItem("innohaku-lang") || "fi";
  let vocabulary = {};
  const t = () => STRINGS[lang];

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  function label(vocab, id) {
    const term = (vocabulary[vocab] || []).find((x) => x.id === id);
    return term ? term.labels[lang] : id;
  }

  function date(iso) {
    const [y, m, d] = String(iso).split("-");
    return d ? `${Number(d)}.${Number(m)}.${y}` : iso;
  }

  async function api(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || `${response.status}`);
    return body;
  }

  function showError(message) {
    const alert = $("alert");
    alert.textContent = message ? `${t().error}: ${message}` : "";
    alert.hidden = !message;
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t()[node.dataset.i18n]; });
    document.querySelectorAll("[data-lang]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
    $("paging").setAttribute("aria-label", `${t().previous} / ${t().next}`);
  }

  // ---- Search view ----
  function params() { return new URLSearchParams(location.search); }

  function go(next, replace) {
    const url = next.toString() ? `?${next}` : location.pathname;
    history[replace ? "replaceState" : "pushState"](null, "", url);
    route();
  }

  async function renderSearch(p) {
    $("results-view").hidden = false;
    $("document-view").hidden = true;
    $("q").value = p.get("q") || "";
    $("sort").value = p.get("sort") || "";
    const query = new URLSearchParams(p);
    query.set("limit", LIMIT);
    const r = await api(`/v1/search?${query}`);
    showError("");
    $("results-heading").textContent = r.total ? t().results(r.total) : t().noResults;
    renderDidYouMean(r.did_you_mean, p);
    const hits = $("hits");
    hits.replaceChildren(...r.hits.map(renderHit));
    renderFacets(r.facets, p);
    const offset = Number(p.get("offset") || 0);
    $("prev").disabled = offset === 0;
    $("next").disabled = offset + LIMIT >= r.total;
    $("page").textContent = r.total ? t().page(offset + 1, Math.min(offset + LIMIT, r.total)) : "";
  }

  function renderDidYouMean(correction, p) {
    const node = $("did-you-mean");
    node.replaceChildren();
    node.hidden = !correction;
    if (!correction) return;
    const next = new URLSearchParams(p);
    next.set("q", correction);
    next.delete("offset");
    const link = el("a", correction, { href: `?${next}` });
    link.addEventListener("click", (e) => { e.preventDefault(); go(next); });
    node.append(`${t().didYouMean}: `, link, "?");
  }

  function renderHit(hit) {
    const li = el("li");
    const h = el("h3");
    const a = el("a", null, { href: `?doc=${encodeURIComponent(hit.id)}` });
    a.innerHTML = hit.title_html || "";
    if (!a.textContent) a.textContent = hit.title;
    a.addEventListener("click", (e) => { e.preventDefault(); go(new URLSearchParams({ doc: hit.id })); });
    h.append(a);
    const meta = el("p", null, { class: "meta" });
    meta.append(el("span", label("kind", hit.kind)));
    if (hit.phase) meta.append(el("span", label("phase", hit.phase), { class: "badge" }));
    hit.regions.forEach((r) => meta.append(el("span", label("region", r))));
    meta.append(el("span", date(hit.updated_at)));
    const snippet = el("p", null, { class: "snippet" });
    snippet.innerHTML = hit.snippet.html;
    li.append(h, meta, snippet);
    return li;
  }

  function renderFacets(facets, p) {
    const container = $("facets");
    container.replaceChildren();
    for (const name of FACETS) {
      const facet = facets.find((f) => f.facet === name);
      if (!facet || facet.values.length === 0) continue;
      const values = name === "organisation" ? facet.values.slice(0, 10) : facet.values;
      const fieldset = el("fieldset");
      fieldset.append(el("legend", t().facets[name]));
      for (const v of values) {
        const input = el("input", null, { type: "checkbox", name, value: v.value });
        input.checked = v.selected;
        input.addEventListener("change", () => {
          const next = new URLSearchParams(p);
          const selected = next.getAll(name).filter((x) => x !== v.value);
          if (input.checked) selected.push(v.value);
          next.delete(name);
          selected.forEach((x) => next.append(name, x));
          next.delete("offset");
          go(next);
        });
        const text = VOCABULARY_OF[name] ? label(VOCABULARY_OF[name], v.value) : v.value;
        const row = el("label");
        row.append(input, el("span", text), el("span", v.count, { class: "count" }));
        fieldset.append(row);
      }
      container.append(fieldset);
    }
  }

  // ---- Document view ----
  async function renderDocument(id) {
    $("results-view").hidden = true;
    const view = $("document-view");
    view.hidden = false;
    const doc = await api(`/v1/documents/${encodeURIComponent(id)}`);
    showError("");
    const back = el("a", t().back, { href: "/" });
    back.addEventListener("click", (e) => { e.preventDefault(); history.length > 1 ? history.back() : go(new URLSearchParams()); });
    const F = t().fields;
    const parts = [back, el("p", label("kind", doc.kind), { class: "meta" }), el("h1", doc.title, { lang: doc.language })];
    for (const key of ["summary", "goals", "how_it_works", "resources", "evaluation", "results", "description"]) {
      if (!doc[key]) continue;
      const section = el("section");
      section.append(el("h2", F[key]), el("p", doc[key], { lang: doc.language }));
      parts.push(section);
    }
    const facts = el("dl");
    const fact = (key, value) => { if (value) facts.append(el("dt", F[key]), el("dd", value)); };
    fact("phase", doc.phase && label("phase", doc.phase));
    fact("status", doc.status && label("status", doc.status));
    fact("funder", doc.funder);
    fact("programme", doc.programme);
    fact("start_date", doc.start_date && date(doc.start_date));
    fact("end_date", doc.end_date && date(doc.end_date));
    for (const key of ["themes", "target_groups", "regions"]) fact(key, (doc[key] || []).map((v) => label(VOCABULARY_OF[key], v)).join(", "));
    fact("organisations", (doc.organisations || []).join(", "));
    fact("contact_organisation", doc.contact_organisation);
    fact("created_at", date(doc.created_at));
    fact("updated_at", date(doc.updated_at));
    for (const key of ["projects", "practices", "networks", "translations"]) {
      if (!doc[key] || doc[key].length === 0) continue;
      const dd = el("dd");
      doc[key].forEach((linked, i) => {
        if (i) dd.append(", ");
        dd.append(docLink(linked, linked));
      });
      facts.append(el("dt", F[key]), dd);
    }
    if (doc.url) {
      const dd = el("dd");
      dd.append(el("a", doc.url, { href: doc.url, rel: "noopener noreferrer" }));
      facts.append(el("dt", F.url), dd);
    }
    parts.push(facts);
    const similar = el("section");
    similar.append(el("h2", t().similar));
    const list = el("ul");
    similar.append(list);
    parts.push(similar);
    view.replaceChildren(...parts);
    document.title = `${doc.title} – Innohaku`;
    const s = await api(`/v1/documents/${encodeURIComponent(id)}/similar?limit=5&lang=${lang}`);
    for (const item of s.results) {
      const li = el("li");
      li.append(docLink(item.id, item.title), el("span", ` (${label("kind", item.kind)})`));
      const why = item.reasons.themes.map((x) => x.label).concat(item.reasons.terms);
      if (why.length) li.append(el("span", ` – ${why.join(", ")}`));
      list.append(li);
    }
  }

  function docLink(id, text) {
    const a = el("a", text, { href: `?doc=${encodeURIComponent(id)}` });
    a.addEventListener("click", (e) => { e.preventDefault(); go(new URLSearchParams({ doc: id })); });
    return a;
  }

  async function route() {
    const p = params();
    try {
      if (p.get("doc")) await renderDocument(p.get("doc"));
      else await renderSearch(p);
    } catch (error) {
      showError(error.message);
    }
  }

  // ---- Wiring ----
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    const q = $("q").value.trim();
    if (q) next.set("q", q);
    const p = params();
    for (const name of FACETS) p.getAll(name).forEach((v) => next.append(name, v));
    if (p.get("sort")) next.set("sort", p.get("sort"));
    go(next);
  });
  $("sort").addEventListener("change", () => {
    const next = params();
    if ($("sort").value) next.set("sort", $("sort").value);
    else next.delete("sort");
    next.delete("offset");
    go(next);
  });
  const page = (delta) => {
    const next = params();
    next.set("offset", Math.max(0, Number(next.get("offset") || 0) + delta));
    go(next);
  };
  $("prev").addEventListener("click", () => page(-LIMIT));
  $("next").addEventListener("click", () => page(LIMIT));
  document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => {
    lang = b.dataset.lang;
    localStorage.setItem("innohaku-lang", lang);
    applyLanguage();
    route();
  }));
  window.addEventListener("popstate", route);

  applyLanguage();
  api("/v1/vocabulary").then((v) => { vocabulary = v; }).catch(() => {}).finally(route);
})();
