// Innohaku search page: plain JavaScript, no dependencies.
//
// All state is in the URL (query, filters, sort, page, language, the document shown), so
// every view is a link that can be shared, reloaded and gone back to. Text from the API is
// set with textContent; only the server's highlighted fields (title_html, snippet.html),
// which the server HTML-escapes and marks with <mark>, are inserted as HTML. No inline
// script or style anywhere, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  // The widget's strings (strings.json), put here by the server: the similar practices on
  // the document view are labelled as the widget labels them.
  const WIDGET = /*WIDGET_STRINGS*/ {};

  const STRINGS = {
    fi: {
      locale: "fi-FI",
      title: "Innohaku – sosiaali- ja terveysalan kehittämistyö",
      searchTitle: "Hae sosiaali- ja terveysalan toimintamalleja, hankkeita ja verkostoja",
      searchButton: "Hae", skipResults: "Siirry tuloksiin", skipContent: "Siirry sisältöön",
      suggestions: "Ehdotukset", suggestCount: (n) => (n === 1 ? "1 ehdotus" : `${n} ehdotusta`),
      searchFor: "Hae sanalla",
      filters: "Rajaa hakua", filtersButton: (n) => (n ? `Rajaa hakua (${n})` : "Rajaa hakua"),
      clearAll: "Tyhjennä rajaukset", activeFilters: "Valitut rajaukset",
      removeFilter: (label) => `Poista rajaus: ${label}`,
      showAll: (n) => `Näytä kaikki (${n})`, showFewer: "Näytä vähemmän",
      sortLabel: "Järjestys", sortRelevance: "Osuvimmat ensin", sortNewest: "Uusimmat ensin", sortTitle: "Nimen mukaan (A–Ö)",
      results: (n) => (n === 1 ? "1 tulos" : `${n} tulosta`),
      resultsFor: (n, q) => (n === 1 ? `1 tulos haulle ${q}` : `${n} tulosta haulle ${q}`),
      browse: (n) => `Kaikki kuvaukset (${n})`,
      range: (a, b) => `${a}–${b}`,
      page: (a, b) => `Sivu ${a}/${b}`, previous: "Edellinen sivu", next: "Seuraava sivu", paging: "Sivut",
      loading: "Haetaan…",
      noResults: (q) => (q ? `Ei tuloksia haulle ”${q}”` : "Ei tuloksia"),
      noResultsFilters: "Ei tuloksia näillä rajauksilla",
      hints: "Kokeile näin:", hintSpelling: "Tarkista sanojen kirjoitusasu.",
      hintBroader: "Kokeile yleisempää sanaa, esimerkiksi ”perhekeskus” sanan ”perhekeskusmalli” sijaan.",
      hintFewer: "Hae vähemmillä sanoilla.", hintFilters: (n) => `Poista rajauksia (valittuna ${n}).`,
      didYouMean: "Tarkoititko", relaxed: (words) => `Kaikkia hakusanoja ei löytynyt samasta kuvauksesta. Osasta tuloksista puuttuu: ${words}.`,
      missing: "Puuttuu",
      updated: "Päivitetty", moreRegions: (n) => `+${n} muuta`,
      back: "Takaisin hakutuloksiin", home: "Etusivulle",
      linked: "Liittyvät kuvaukset",
      sections: { summary: "Tiivistelmä", background: "Tausta ja tarve", goals: "Tavoitteet", how_it_works: "Toteutus", resources: "Resurssit", evaluation: "Arviointi ja tulokset", adoption: "Käyttöönoton edellytykset", results: "Tulokset", description: "Kuvaus" },
      facts: "Perustiedot",
      fields: { funder: "Rahoittaja", programme: "Ohjelma", start_date: "Alkaa", end_date: "Päättyy", status: "Tila", phase: "Vaihe", themes: "Teemat", target_groups: "Kohderyhmät", regions: "Alueet", organisations: "Organisaatiot", contact_organisation: "Yhteystaho", projects: "Hankkeet", practices: "Toimintamallit", networks: "Verkostot", translations: "Kieliversiot", url: "Alkuperäinen kuvaus", created_at: "Julkaistu", updated_at: "Päivitetty", language: "Kieli" },
      facets: { kind: "Tyyppi", language: "Kieli", region: "Alue", theme: "Teema", target_group: "Kohderyhmä", phase: "Vaihe", year: "Vuosi", organisation: "Organisaatio", programme: "Ohjelma" },
      problem: {
        offline: ["Ei verkkoyhteyttä", "Tarkista verkkoyhteys. Haku yritetään uudelleen, kun yhteys palaa."],
        network: ["Hakupalveluun ei saatu yhteyttä", "Yritä hetken kuluttua uudelleen."],
        server: ["Haku ei juuri nyt onnistu", "Vika on palvelussa. Yritä hetken kuluttua uudelleen."],
        param: ["Haun osoitteessa on virheellinen tieto", (what) => `Tätä ei voitu käyttää: ${what}. Poista se ja hae uudelleen.`],
        query: ["Hakusana on liian pitkä", "Lyhennä hakua ja yritä uudelleen."],
        notFound: ["Kuvausta ei löytynyt", "Osoitteen kuvausta ei ole Innohaussa. Se on voitu poistaa, tai osoite on kirjoitettu väärin."],
      },
      retry: "Yritä uudelleen", removeBad: "Poista virheellinen tieto", searchAgain: "Hae kuvauksia",
      notFoundTitle: "Ei löytynyt",
      footer: "Innohaku kokoaa sosiaali- ja terveysalan kehittämistyön kuvaukset. Rajapinta:",
    },
    sv: {
      locale: "sv-FI",
      title: "Innohaku – utvecklingsarbete inom social- och hälsovården",
      searchTitle: "Sök verksamhetsmodeller, projekt och nätverk inom social- och hälsovården",
      searchButton: "Sök", skipResults: "Hoppa till träffarna", skipContent: "Hoppa till innehållet",
      suggestions: "Förslag", suggestCount: (n) => (n === 1 ? "1 förslag" : `${n} förslag`),
      searchFor: "Sök med ordet",
      filters: "Avgränsa sökningen", filtersButton: (n) => (n ? `Avgränsa sökningen (${n})` : "Avgränsa sökningen"),
      clearAll: "Töm avgränsningarna", activeFilters: "Valda avgränsningar",
      removeFilter: (label) => `Ta bort avgränsningen: ${label}`,
      showAll: (n) => `Visa alla (${n})`, showFewer: "Visa färre",
      sortLabel: "Ordning", sortRelevance: "Mest relevanta först", sortNewest: "Nyaste först", sortTitle: "Efter namn (A–Ö)",
      results: (n) => (n === 1 ? "1 träff" : `${n} träffar`),
      resultsFor: (n, q) => (n === 1 ? `1 träff för ${q}` : `${n} träffar för ${q}`),
      browse: (n) => `Alla beskrivningar (${n})`,
      range: (a, b) => `${a}–${b}`,
      page: (a, b) => `Sida ${a}/${b}`, previous: "Föregående sida", next: "Nästa sida", paging: "Sidor",
      loading: "Söker…",
      noResults: (q) => (q ? `Inga träffar för ”${q}”` : "Inga träffar"),
      noResultsFilters: "Inga träffar med de här avgränsningarna",
      hints: "Pröva så här:", hintSpelling: "Kontrollera stavningen.",
      hintBroader: "Pröva ett mer allmänt ord, till exempel ”familjecentral” i stället för ”familjecentralsmodell”.",
      hintFewer: "Sök med färre ord.", hintFilters: (n) => `Ta bort avgränsningar (${n} valda).`,
      didYouMean: "Menade du", relaxed: (words) => `Alla sökord fanns inte i samma beskrivning. En del träffar saknar: ${words}.`,
      missing: "Saknas",
      updated: "Uppdaterad", moreRegions: (n) => `+${n} andra`,
      back: "Tillbaka till träffarna", home: "Till startsidan",
      linked: "Anknutna beskrivningar",
      sections: { summary: "Sammanfattning", background: "Bakgrund och behov", goals: "Mål", how_it_works: "Genomförande", resources: "Resurser", evaluation: "Utvärdering och resultat", adoption: "Förutsättningar för att ta i bruk", results: "Resultat", description: "Beskrivning" },
      facts: "Grunduppgifter",
      fields: { funder: "Finansiär", programme: "Program", start_date: "Börjar", end_date: "Slutar", status: "Status", phase: "Fas", themes: "Teman", target_groups: "Målgrupper", regions: "Områden", organisations: "Organisationer", contact_organisation: "Kontakt", projects: "Projekt", practices: "Verksamhetsmodeller", networks: "Nätverk", translations: "Språkversioner", url: "Ursprunglig beskrivning", created_at: "Publicerad", updated_at: "Uppdaterad", language: "Språk" },
      facets: { kind: "Typ", language: "Språk", region: "Område", theme: "Tema", target_group: "Målgrupp", phase: "Fas", year: "År", organisation: "Organisation", programme: "Program" },
      problem: {
        offline: ["Ingen nätverksanslutning", "Kontrollera anslutningen. Sökningen görs på nytt när anslutningen fungerar igen."],
        network: ["Söktjänsten kunde inte nås", "Försök igen om en stund."],
        server: ["Sökningen fungerar inte just nu", "Felet finns i tjänsten. Försök igen om en stund."],
        param: ["Sökadressen innehåller en felaktig uppgift", (what) => `Det här kunde inte användas: ${what}. Ta bort det och sök igen.`],
        query: ["Sökningen är för lång", "Korta av sökningen och försök igen."],
        notFound: ["Beskrivningen hittades inte", "Beskrivningen finns inte i Innohaku. Den kan ha tagits bort, eller så är adressen felskriven."],
      },
      retry: "Försök igen", removeBad: "Ta bort den felaktiga uppgiften", searchAgain: "Sök beskrivningar",
      notFoundTitle: "Hittades inte",
      footer: "Innohaku samlar beskrivningar av utvecklingsarbete inom social- och hälsovården. Gränssnitt:",
    },
    en: {
      locale: "en-GB",
      title: "Innohaku – social and health care development work",
      searchTitle: "Search practices, projects and networks in social and health care",
      searchButton: "Search", skipResults: "Skip to results", skipContent: "Skip to content",
      suggestions: "Suggestions", suggestCount: (n) => (n === 1 ? "1 suggestion" : `${n} suggestions`),
      searchFor: "Search for",
      filters: "Refine search", filtersButton: (n) => (n ? `Refine search (${n})` : "Refine search"),
      clearAll: "Clear filters", activeFilters: "Selected filters",
      removeFilter: (label) => `Remove filter: ${label}`,
      showAll: (n) => `Show all (${n})`, showFewer: "Show fewer",
      sortLabel: "Order", sortRelevance: "Most relevant first", sortNewest: "Newest first", sortTitle: "By title (A–Ö)",
      results: (n) => (n === 1 ? "1 result" : `${n} results`),
      resultsFor: (n, q) => (n === 1 ? `1 result for ${q}` : `${n} results for ${q}`),
      browse: (n) => `All descriptions (${n})`,
      range: (a, b) => `${a}–${b}`,
      page: (a, b) => `Page ${a} of ${b}`, previous: "Previous page", next: "Next page", paging: "Pages",
      loading: "Searching…",
      noResults: (q) => (q ? `No results for “${q}”` : "No results"),
      noResultsFilters: "No results with these filters",
      hints: "Try this:", hintSpelling: "Check the spelling.",
      hintBroader: "Try a broader word, such as “family centre” rather than “family centre model”.",
      hintFewer: "Search with fewer words.", hintFilters: (n) => `Remove filters (${n} selected).`,
      didYouMean: "Did you mean", relaxed: (words) => `Not every word was found in the same description. Some results are missing: ${words}.`,
      missing: "Missing",
      updated: "Updated", moreRegions: (n) => `+${n} more`,
      back: "Back to results", home: "To the start page",
      linked: "Related descriptions",
      sections: { summary: "Summary", background: "Background and need", goals: "Goals", how_it_works: "How it works", resources: "Resources", evaluation: "Evaluation and results", adoption: "Conditions for adoption", results: "Results", description: "Description" },
      facts: "Key facts",
      fields: { funder: "Funder", programme: "Programme", start_date: "Starts", end_date: "Ends", status: "Status", phase: "Phase", themes: "Themes", target_groups: "Target groups", regions: "Regions", organisations: "Organisations", contact_organisation: "Contact", projects: "Projects", practices: "Practices", networks: "Networks", translations: "Language versions", url: "Original description", created_at: "Published", updated_at: "Updated", language: "Language" },
      facets: { kind: "Kind", language: "Language", region: "Region", theme: "Theme", target_group: "Target group", phase: "Phase", year: "Year", organisation: "Organisation", programme: "Programme" },
      problem: {
        offline: ["No network connection", "Check your connection. The search runs again when it is back."],
        network: ["The search service could not be reached", "Try again in a moment."],
        server: ["Search is not working right now", "The fault is in the service. Try again in a moment."],
        param: ["The search address has something wrong in it", (what) => `This could not be used: ${what}. Remove it and search again.`],
        query: ["The search is too long", "Shorten it and try again."],
        notFound: ["Description not found", "There is no such description in Innohaku. It may have been removed, or the address is mistyped."],
      },
      retry: "Try again", removeBad: "Remove what was wrong", searchAgain: "Search descriptions",
      notFoundTitle: "Not found",
      footer: "Innohaku brings together descriptions of social and health care development work. API:",
    },
  };
  const LANGS = ["fi", "sv", "en"];
  // Filters in the order shown; each is a search parameter of the same name.
  const FACETS = ["kind", "language", "region", "theme", "target_group", "phase", "year", "organisation"];
  const VOCABULARY_OF = { kind: "kind", region: "region", theme: "theme", target_group: "target_group", phase: "phase", language: "language", status: "status", themes: "theme", regions: "region", target_groups: "target_group" };
  const LIMIT = 10;
  // Values a filter group shows before "show all".
  const FOLDED_VALUES = 8;
  const TYPING_DELAY_MS = 250;
  const DOCUMENT_SECTIONS = ["background", "goals", "how_it_works", "resources", "evaluation", "results", "adoption", "description"];
  const LINKS = ["projects", "practices", "networks", "translations"];

  const $ = (id) => document.getElementById(id);
  let lang = "fi";
  let vocabulary = {};
  // Filter groups the user opened, and the facets shown whole, across redraws.
  const openGroups = new Set();
  const unfolded = new Set();
  let panelOpen = false;
  // The request in flight for the view; a newer navigation aborts it.
  let inFlight = null;
  let retry = null;
  // Whether the current history entry is a search run while typing: the next keystrokes
  // replace it rather than adding one entry per word.
  let typedEntry = false;
  const t = () => STRINGS[lang];

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, v);
    return node;
  }

  function label(vocab, id) {
    const term = (vocabulary[vocab] || []).find((x) => x.id === id);
    return term ? term.labels[lang] : id;
  }

  function facetLabel(facet, value) {
    return VOCABULARY_OF[facet] ? label(VOCABULARY_OF[facet], value) : value;
  }

  function date(iso) {
    const [y, m, d] = String(iso).split("-").map(Number);
    if (!d) return iso;
    return new Intl.DateTimeFormat(t().locale, { day: "numeric", month: lang === "en" ? "short" : "numeric", year: "numeric" })
      .format(new Date(Date.UTC(y, m - 1, d)));
  }

  const number = (n) => Number(n).toLocaleString(t().locale);

  // ---- The API ----

  /** A failed request: `kind` is offline, network, server, param, query or notFound. */
  class Failure extends Error {
    constructor(kind, param) { super(kind); this.kind = kind; this.param = param; }
  }

  async function api(path, signal) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: "application/json" }, signal });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new Failure(navigator.onLine === false ? "offline" : "network");
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) return body;
    if (response.status === 404) throw new Failure("notFound");
    if (response.status === 400 && body.param === "q") throw new Failure("query");
    if (response.status === 400) throw new Failure("param", body.param);
    throw new Failure("server");
  }

  // ---- State in the URL ----

  /** The page's state, read from a URL's query. */
  function read(search) {
    const p = new URLSearchParams(search);
    const filters = [];
    for (const name of FACETS) {
      for (const v of p.getAll(name)) {
        for (const value of v.split(",").map((s) => s.trim()).filter(Boolean)) {
          if (!filters.some((f) => f.name === name && f.value === value)) filters.push({ name, value });
        }
      }
    }
    const offset = Math.max(0, Math.floor(Number(p.get("offset")) || 0));
    return {
      lang: LANGS.includes(p.get("lang")) ? p.get("lang") : null,
      q: (p.get("q") || "").trim(),
      filters,
      sort: ["relevance", "newest", "title"].includes(p.get("sort")) ? p.get("sort") : "",
      offset,
      doc: p.get("doc") || "",
    };
  }

  /** A state as a page URL; Finnish, the default, is left out. */
  function href(state) {
    const p = new URLSearchParams();
    if (state.doc) p.set("doc", state.doc);
    else {
      if (state.q) p.set("q", state.q);
      for (const f of state.filters || []) p.append(f.name, f.value);
      if (state.sort) p.set("sort", state.sort);
      if (state.offset) p.set("offset", state.offset);
    }
    const l = state.lang || lang;
    if (l !== "fi") p.set("lang", l);
    const query = p.toString();
    return query ? `/?${query}` : "/";
  }

  function current() { return read(location.search); }

  /** Goes to `state`: a new history entry unless `replace`; `how` says where focus goes. */
  function go(state, how = {}) {
    remember();
    const url = href(state);
    const entry = { ...(how.entry || {}) };
    history[how.replace ? "replaceState" : "pushState"](entry, "", url);
    typedEntry = Boolean(how.typing);
    return route(how);
  }

  /** Keeps the scroll position in the current history entry, for back and forward. */
  function remember() {
    history.replaceState({ ...(history.state || {}), scroll: window.scrollY }, "", location.href);
  }

  // ---- Views ----

  async function route(how = {}) {
    const state = current();
    lang = state.lang || lang;
    applyLanguage(state);
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    retry = () => route({ ...how, focus: state.doc ? "document" : "heading", restoreScroll: undefined });
    busy(true);
    try {
      if (state.doc) await renderDocument(state, controller.signal, how);
      else await renderSearch(state, controller.signal, how);
      if (controller === inFlight) inFlight = null;
      if (how.restoreScroll && history.state && typeof history.state.scroll === "number") {
        window.scrollTo(0, history.state.scroll);
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      if (controller !== inFlight) return;
      inFlight = null;
      showFailure(error instanceof Failure ? error : new Failure("network"), state);
    }
  }

  function applyLanguage(state) {
    const s = t();
    document.documentElement.lang = lang;
    $("q-label").textContent = s.searchTitle;
    $("search-button").textContent = s.searchButton;
    $("suggestions").setAttribute("aria-label", s.suggestions);
    $("sort-label").textContent = s.sortLabel;
    $("filters-heading").textContent = s.filters;
    $("paging").setAttribute("aria-label", s.paging);
    $("skip").textContent = state.doc ? s.skipContent : s.skipResults;
    $("skip").setAttribute("href", state.doc ? "#document-title" : "#results-heading");
    $("brand").setAttribute("href", href({ lang }));
    const footer = $("footer");
    footer.replaceChildren(`${s.footer} `, el("a", "OpenAPI", { href: "/v1/openapi.json", lang: "en" }));
    for (const a of document.querySelectorAll("[data-lang]")) {
      a.setAttribute("href", href({ ...state, lang: a.dataset.lang }));
      if (a.dataset.lang === lang) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    }
  }

  /** Shows that a new view is coming: the old one stays, visibly stale and busy. */
  function busy(on) {
    for (const node of [$("results-view"), $("document-view")]) {
      const marked = on && !node.hidden;
      node.classList.toggle("stale", marked);
      if (marked) node.setAttribute("aria-busy", "true");
      else node.removeAttribute("aria-busy");
    }
    if (on && !$("results-view").hidden) $("results-heading").textContent = t().loading;
  }

  function showView(name) {
    $("results-view").hidden = name !== "results";
    $("document-view").hidden = name !== "document";
    $("problem").hidden = true;
    searchHeading(name === "results");
  }

  /** The search field's label is the page's main heading on the search view only. */
  function searchHeading(main) {
    const heading = $("search-title");
    const wanted = main ? "H1" : "DIV";
    if (heading.tagName !== wanted) {
      const replacement = el(wanted.toLowerCase(), null, { id: "search-title", class: "search-title" });
      replacement.append(...heading.childNodes);
      heading.replaceWith(replacement);
    }
  }

  function showFailure(failure, state) {
    busy(false);
    const [title, text] = t().problem[failure.kind];
    const box = $("problem");
    // In place of a document, the message is the page's main heading.
    searchHeading(!state.doc);
    const parts = [el(state.doc ? "h1" : "h2", title, { id: "problem-title", tabindex: "-1" })];
    if (failure.kind === "param") {
      const bad = state.filters.filter((f) => f.name === failure.param);
      const what = bad.length
        ? bad.map((f) => `${t().facets[f.name] || f.name}: ${f.value}`).join(", ")
        : failure.param || "?";
      parts.push(el("p", text(what)));
      const fixed = { ...state, filters: state.filters.filter((f) => f.name !== failure.param), offset: 0 };
      if (failure.param === "sort") fixed.sort = "";
      parts.push(link(t().removeBad, fixed, { class: "button" }));
    } else if (failure.kind === "notFound") {
      parts.push(el("p", text));
      parts.push(link(t().searchAgain, { lang }, { class: "button" }));
      document.title = `${t().notFoundTitle} – Innohaku`;
    } else {
      parts.push(el("p", text));
      if (failure.kind !== "query") {
        const again = el("button", t().retry, { type: "button", class: "button" });
        again.addEventListener("click", () => retry && retry());
        parts.push(again);
      }
    }
    // Nothing of an earlier view stays under the message.
    $("results-view").hidden = true;
    $("document-view").hidden = true;
    box.replaceChildren(...parts);
    box.hidden = false;
    box.dataset.kind = failure.kind;
    if (failure.kind === "notFound") {
      $("skip").setAttribute("href", "#problem-title");
      $("problem-title").focus();
    }
    announce(title);
  }

  function announce(text) {
    // Cleared first, so the same text is announced again.
    const region = $("announce");
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 50);
  }

  /** A link within the page to `state`. */
  function link(text, state, attrs, how) {
    const a = el("a", text, { href: href(state), ...(attrs || {}) });
    a.addEventListener("click", (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      go(state, typeof how === "function" ? how() : how || {});
    });
    return a;
  }

  // ---- Search view ----

  function searchQuery(state) {
    const p = new URLSearchParams();
    if (state.q) p.set("q", state.q);
    for (const f of state.filters) p.append(f.name, f.value);
    if (state.sort) p.set("sort", state.sort);
    if (state.offset) p.set("offset", state.offset);
    p.set("limit", LIMIT);
    p.set("facet_limit", 100);
    p.set("lang", lang);
    return p;
  }

  async function renderSearch(state, signal, how) {
    $("q").value = document.activeElement === $("q") && how.typing ? $("q").value : state.q;
    const r = await api(`/v1/search?${searchQuery(state)}`, signal);
    // Past the last page: the last page it is.
    if (r.total > 0 && state.offset >= r.total) {
      const last = Math.floor((r.total - 1) / LIMIT) * LIMIT;
      return go({ ...state, offset: last }, { ...how, replace: true });
    }
    showView("results");
    busy(false);
    const s = t();
    document.title = state.q ? `${state.q} – ${s.results(r.total)} – Innohaku` : s.title;
    renderHeading(state, r);
    renderSort(state, r.total);
    renderNotices(state, r);
    renderChips(state);
    renderFacets(state, r.facets);
    $("hits").replaceChildren(...r.hits.map((hit) => renderHit(hit, state)));
    $("hits").hidden = r.hits.length === 0;
    renderEmpty(state, r);
    renderPaging(state, r.total);
    announce(r.total === 0 ? $("results-heading").textContent
      : state.q ? s.resultsFor(number(r.total), state.q) : s.browse(number(r.total)));
    place(how);
  }

  /** Where focus goes after a search view is drawn. */
  function place(how) {
    if (how.focus === "heading") {
      $("results-heading").focus();
      $("results-heading").scrollIntoView({ block: "start" });
    } else if (how.focus === "filter") {
      const target = document.querySelector(`#facets input[name="${CSS.escape(how.filter.name)}"][value="${CSS.escape(how.filter.value)}"]`);
      if (target) target.focus();
      else $("filters-toggle").focus();
    } else if (how.focus === "chips") {
      const chips = document.querySelectorAll("#chips button");
      const next = chips[Math.min(how.index, chips.length - 1)];
      if (next) next.focus();
      else $("results-heading").focus();
    } else if (how.focus === "hit") {
      const a = document.querySelector(`#hits a[data-id="${CSS.escape(how.id)}"]`);
      if (a) a.focus({ preventScroll: true });
    } else if (how.focus === "sort") {
      $("sort").focus();
    } else if (how.focus === "q") {
      $("q").focus();
    } else if (how.focus === "toggle") {
      $("filters-toggle").focus();
    }
    if (how.restoreScroll === undefined && how.focus !== "heading" && !how.typing && !how.keepScroll) window.scrollTo(0, 0);
  }

  function renderHeading(state, r) {
    const s = t();
    const heading = $("results-heading");
    if (r.total === 0) heading.textContent = state.q ? s.noResults(state.q) : s.noResultsFilters;
    else {
      const count = state.q || state.filters.length ? s.results(number(r.total)) : s.browse(number(r.total));
      const shown = r.total > LIMIT ? ` · ${s.range(state.offset + 1, Math.min(state.offset + LIMIT, r.total))}` : "";
      heading.textContent = count + shown;
    }
  }

  function renderSort(state, total) {
    const s = t();
    const select = $("sort");
    // Nothing to order when nothing was found.
    select.closest("label").hidden = total === 0;
    // Without a query there is no relevance to sort by: the newest come first, and say so.
    const options = state.q ? [["relevance", s.sortRelevance], ["newest", s.sortNewest], ["title", s.sortTitle]]
      : [["newest", s.sortNewest], ["title", s.sortTitle]];
    select.replaceChildren(...options.map(([value, text]) => el("option", text, { value })));
    const effective = state.sort && options.some(([v]) => v === state.sort) ? state.sort : options[0][0];
    select.value = effective;
  }

  function renderNotices(state, r) {
    const s = t();
    const notices = [];
    if (r.did_you_mean) {
      const p = el("p", null, { class: "notice" });
      p.append(`${s.didYouMean}: `, link(r.did_you_mean, { ...state, q: r.did_you_mean, offset: 0 }, { lang: undefined }, { focus: "heading" }), "?");
      notices.push(p);
    }
    // Words the search let go of to find anything (when the API says so).
    if (Array.isArray(r.relaxed) && r.relaxed.length) {
      notices.push(el("p", s.relaxed(r.relaxed.join(", ")), { class: "notice" }));
    }
    $("notices").replaceChildren(...notices);
  }

  function renderChips(state) {
    const s = t();
    const chips = $("chips");
    chips.hidden = state.filters.length === 0;
    $("filters-toggle").textContent = s.filtersButton(state.filters.length);
    if (chips.hidden) { chips.replaceChildren(); return; }
    const list = el("ul", null, { class: "chip-list", "aria-label": s.activeFilters });
    state.filters.forEach((f, index) => {
      const text = `${s.facets[f.name]}: ${facetLabel(f.name, f.value)}`;
      const button = el("button", null, { type: "button", class: "chip", "aria-label": s.removeFilter(text) });
      button.append(el("span", text), el("span", "×", { class: "x", "aria-hidden": "true" }));
      button.addEventListener("click", () => {
        const filters = state.filters.filter((g) => g !== f);
        go({ ...state, filters, offset: 0 }, { focus: "chips", index, keepScroll: true });
      });
      const li = el("li");
      li.append(button);
      list.append(li);
    });
    const clear = el("button", s.clearAll, { type: "button", class: "clear" });
    clear.addEventListener("click", () => go({ ...state, filters: [], offset: 0 }, { focus: "heading" }));
    chips.replaceChildren(list, clear);
  }

  function renderFacets(state, facets) {
    const s = t();
    const container = $("facets");
    const groups = [];
    for (const name of FACETS) {
      const facet = (facets || []).find((f) => f.facet === name);
      if (!facet || facet.values.length === 0) continue;
      let values = facet.values.slice();
      // Years read newest first; the others most frequent first, as the API sends them.
      if (name === "year") values.sort((a, b) => Number(b.value) - Number(a.value));
      const selected = values.filter((v) => v.selected).length;
      const details = el("details", null, { class: "facet", "data-facet": name });
      details.open = selected > 0 || openGroups.has(name);
      details.addEventListener("toggle", () => { if (details.open) openGroups.add(name); else openGroups.delete(name); });
      const summary = el("summary");
      summary.append(el("span", s.facets[name]));
      if (selected) summary.append(el("span", ` (${selected})`, { class: "selected-count" }));
      const fieldset = el("fieldset");
      fieldset.append(el("legend", s.facets[name], { class: "visually-hidden" }));
      const folded = values.length > FOLDED_VALUES + 2 && !unfolded.has(name);
      const shown = folded ? values.filter((v, i) => i < FOLDED_VALUES || v.selected) : values;
      for (const v of shown) {
        const id = `f-${name}-${v.value}`.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0)}`);
        const input = el("input", null, { type: "checkbox", name, value: v.value, id });
        input.checked = v.selected;
        input.addEventListener("change", () => {
          openGroups.add(name);
          const f = { name, value: v.value };
          const filters = input.checked ? [...state.filters, f]
            : state.filters.filter((g) => !(g.name === name && g.value === v.value));
          go({ ...state, filters, offset: 0 }, { focus: "filter", filter: f, keepScroll: true });
        });
        const row = el("label", null, { for: id });
        row.append(el("span", facetLabel(name, v.value), { class: "value" }), el("span", number(v.count), { class: "count" }));
        const line = el("div", null, { class: "option" });
        line.append(input, row);
        fieldset.append(line);
      }
      if (values.length > FOLDED_VALUES + 2) {
        const more = el("button", folded ? s.showAll(values.length) : s.showFewer, { type: "button", class: "more", "aria-expanded": String(!folded) });
        more.addEventListener("click", () => {
          if (folded) unfolded.add(name); else unfolded.delete(name);
          renderFacets(state, facets);
          const again = document.querySelector(`#facets details[data-facet="${name}"] button.more`);
          if (again) again.focus();
        });
        fieldset.append(more);
      }
      details.append(summary, fieldset);
      groups.push(details);
    }
    container.replaceChildren(...groups);
    $("filter-panel").hidden = groups.length === 0;
    $("filters-toggle").hidden = groups.length === 0;
    setPanel(panelOpen);
  }

  function setPanel(open) {
    panelOpen = open;
    $("filters-toggle").setAttribute("aria-expanded", String(open));
    $("filter-panel").classList.toggle("open", open);
  }

  function renderHit(hit, state) {
    const s = t();
    const li = el("li", null, { class: "hit" });
    const h = el("h3", null, { class: "hit-title" });
    const a = link(null, { doc: hit.id, lang }, { lang: hit.language, "data-id": hit.id }, () => ({ focus: "document", entry: { from: href(state), depth: 1 } }));
    a.innerHTML = hit.title_html || "";
    if (!a.textContent) a.textContent = hit.title;
    h.append(a);
    const meta = el("p", null, { class: "meta" });
    meta.append(el("span", label("kind", hit.kind), { class: "kind" }));
    if (hit.phase) meta.append(el("span", label("phase", hit.phase)));
    // A national network may name most regions: the first two, and how many more.
    const regions = hit.regions.map((r) => label("region", r));
    if (regions.length > 3) regions.splice(2, regions.length, s.moreRegions(regions.length - 2));
    if (regions.length) meta.append(el("span", regions.join(", ")));
    meta.append(el("span", `${s.updated} ${date(hit.updated_at)}`));
    const snippet = el("p", null, { class: "snippet", lang: hit.snippet_language || hit.language });
    snippet.innerHTML = hit.snippet.html;
    li.append(h, meta, snippet);
    // Query words this hit lacks, when the search let some go (when the API says so).
    if (Array.isArray(hit.missing) && hit.missing.length) {
      const missing = el("p", null, { class: "missing" });
      missing.append(`${s.missing}: `);
      hit.missing.forEach((word, i) => { if (i) missing.append(", "); missing.append(el("s", word)); });
      li.append(missing);
    }
    return li;
  }

  function renderEmpty(state, r) {
    const s = t();
    const box = $("empty");
    box.hidden = r.total !== 0;
    if (box.hidden) { box.replaceChildren(); return; }
    const hints = el("ul");
    if (state.q) hints.append(el("li", s.hintSpelling), el("li", s.hintBroader));
    if (state.q.split(/\s+/).length > 1) hints.append(el("li", s.hintFewer));
    if (state.filters.length) {
      const li = el("li", `${s.hintFilters(state.filters.length)} `);
      const clear = el("button", s.clearAll, { type: "button", class: "button" });
      clear.addEventListener("click", () => go({ ...state, filters: [], offset: 0 }, { focus: "heading" }));
      li.append(clear);
      hints.append(li);
    }
    box.replaceChildren(el("p", s.hints), hints);
  }

  function renderPaging(state, total) {
    const s = t();
    const nav = $("paging");
    nav.hidden = total <= LIMIT;
    if (nav.hidden) { nav.replaceChildren(); return; }
    const page = Math.floor(state.offset / LIMIT) + 1;
    const pages = Math.ceil(total / LIMIT);
    const parts = [];
    const how = { focus: "heading" };
    if (state.offset > 0) parts.push(link(s.previous, { ...state, offset: Math.max(0, state.offset - LIMIT) }, { class: "prev", rel: "prev" }, how));
    parts.push(el("span", s.page(page, pages), { class: "page" }));
    if (state.offset + LIMIT < total) parts.push(link(s.next, { ...state, offset: state.offset + LIMIT }, { class: "next", rel: "next" }, how));
    nav.replaceChildren(...parts);
  }

  // ---- Document view ----

  async function renderDocument(state, signal, how) {
    const id = state.doc;
    const doc = await api(`/v1/documents/${encodeURIComponent(id)}`, signal);
    // Linked documents are shown by title: each is fetched (a few, in parallel).
    const ids = [...new Set(LINKS.flatMap((key) => doc[key] || []))];
    const linked = new Map();
    await Promise.all(ids.map((other) => api(`/v1/documents/${encodeURIComponent(other)}`, signal)
      .then((d) => linked.set(other, d))
      .catch((error) => { if (error.name === "AbortError") throw error; })));
    showView("document");
    busy(false);
    const s = t();
    const view = $("document-view");
    const entry = history.state || {};
    const back = entry.from
      ? el("a", s.back, { href: entry.from, class: "back" })
      : link(s.home, { lang }, { class: "back" });
    if (entry.from) {
      back.addEventListener("click", (e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        // The search is `depth` entries back in this tab's history: going there restores it
        // as it was, scroll position included.
        pendingFocus = { focus: "hit", id: entry.firstDoc || id };
        history.go(-(entry.depth || 1));
      });
    }
    const parts = [el("p", null, { class: "crumbs" })];
    parts[0].append(back);
    const meta = el("p", null, { class: "meta" });
    meta.append(el("span", label("kind", doc.kind), { class: "kind" }));
    if (doc.phase) meta.append(el("span", label("phase", doc.phase)));
    if (doc.status) meta.append(el("span", label("status", doc.status)));
    parts.push(meta);
    parts.push(el("h1", doc.title, { id: "document-title", lang: doc.language, tabindex: "-1" }));
    parts.push(prose(doc.summary, doc.language, "lead"));
    for (const key of DOCUMENT_SECTIONS) {
      if (!doc[key]) continue;
      const section = el("section", null, { class: "text" });
      section.append(el("h2", s.sections[key]), prose(doc[key], doc.language));
      parts.push(section);
    }
    parts.push(renderFacts(doc));
    const related = renderLinked(doc, linked, state, entry);
    if (related) parts.push(related);
    const similar = el("section", null, { class: "similar", "aria-labelledby": "similar-heading" });
    similar.append(el("h2", (WIDGET[lang] || {}).heading || "", { id: "similar-heading" }));
    parts.push(similar);
    view.replaceChildren(...parts);
    document.title = `${doc.title} – Innohaku`;
    if (how.restoreScroll === undefined) window.scrollTo(0, 0);
    if (how.focus === "document") $("document-title").focus({ preventScroll: true });
    announce(doc.title);
    renderSimilar(doc, similar, state, entry, signal).catch(() => {
      similar.append(el("p", (WIDGET[lang] || {}).failed || "", { class: "muted" }));
    });
  }

  /** Text with paragraphs (blank lines) and lists (lines starting "- " or "1. "), as text. */
  function prose(text, language, cls) {
    const box = el("div", null, { class: cls ? `prose ${cls}` : "prose", lang: language });
    for (const block of String(text).split(/\n\s*\n/)) {
      const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
      if (!lines.length) continue;
      const bullets = lines.every((l) => /^[-•*] /.test(l));
      const numbered = lines.every((l) => /^\d+[.)] /.test(l));
      if (bullets || numbered) {
        const list = el(bullets ? "ul" : "ol");
        for (const l of lines) list.append(el("li", l.replace(/^([-•*]|\d+[.)]) /, "")));
        box.append(list);
      } else {
        box.append(el("p", lines.join(" ")));
      }
    }
    return box;
  }

  function renderFacts(doc) {
    const s = t();
    const F = s.fields;
    const section = el("section", null, { class: "facts", "aria-labelledby": "facts-heading" });
    section.append(el("h2", s.facts, { id: "facts-heading" }));
    const dl = el("dl");
    const fact = (key, value, valueLang) => {
      if (!value || (Array.isArray(value) && !value.length)) return;
      const dd = el("dd", null, valueLang ? { lang: valueLang } : {});
      if (value instanceof Node) dd.append(value);
      else dd.textContent = value;
      dl.append(el("dt", F[key]), dd);
    };
    fact("phase", doc.phase && label("phase", doc.phase));
    fact("status", doc.status && label("status", doc.status));
    fact("funder", doc.funder, doc.language);
    fact("programme", doc.programme, doc.language);
    fact("start_date", doc.start_date && date(doc.start_date));
    fact("end_date", doc.end_date && date(doc.end_date));
    for (const key of ["themes", "target_groups", "regions"]) {
      fact(key, (doc[key] || []).map((v) => label(VOCABULARY_OF[key], v)).join(", "));
    }
    fact("organisations", (doc.organisations || []).join(", "));
    fact("contact_organisation", doc.contact_organisation);
    fact("language", doc.language && label("language", doc.language));
    fact("created_at", date(doc.created_at));
    fact("updated_at", date(doc.updated_at));
    if (doc.url && /^https?:\/\//.test(doc.url)) {
      fact("url", el("a", doc.url, { href: doc.url, class: "url", rel: "noopener noreferrer" }));
    }
    section.append(dl);
    return section;
  }

  function renderLinked(doc, linked, state, entry) {
    const s = t();
    const groups = LINKS.filter((key) => (doc[key] || []).some((id) => linked.has(id)));
    if (!groups.length) return null;
    const section = el("section", null, { class: "linked", "aria-labelledby": "linked-heading" });
    section.append(el("h2", s.linked, { id: "linked-heading" }));
    for (const key of groups) {
      section.append(el("h3", s.fields[key]));
      const list = el("ul", null, { class: "doc-list" });
      for (const id of doc[key]) {
        const other = linked.get(id);
        if (!other) continue; // A link to a document that is not (or no longer) there.
        const li = el("li");
        li.append(docLink(other, state, entry));
        const kind = key === "translations" ? label("language", other.language) : label("kind", other.kind);
        li.append(el("span", ` (${kind})`, { class: "muted" }));
        list.append(li);
      }
      section.append(list);
    }
    return section;
  }

  /** A link to another document; the way back still leads to the search. */
  function docLink(other, state, entry) {
    const next = entry.from ? { from: entry.from, depth: (entry.depth || 1) + 1, firstDoc: entry.firstDoc || state.doc } : {};
    return link(other.title, { doc: other.id, lang }, { lang: other.language }, () => ({ focus: "document", entry: next }));
  }

  async function renderSimilar(doc, section, state, entry, signal) {
    const w = WIDGET[lang] || {};
    const s = await api(`/v1/documents/${encodeURIComponent(doc.id)}/similar?limit=5&lang=${lang}`, signal);
    if (!s.results.length) {
      section.append(el("p", w.empty, { class: "muted" }));
      return;
    }
    const list = el("ul", null, { class: "similar-list" });
    for (const item of s.results) {
      const li = el("li");
      const title = el("p", null, { class: "title" });
      title.append(docLink(item, state, entry));
      li.append(title);
      const meta = [w.kind ? w.kind[item.kind] : label("kind", item.kind), ...item.regions.map((r) => r.label)];
      if (item.phase) meta.push(item.phase.label);
      li.append(el("p", meta.join(" · "), { class: "meta" }));
      const r = item.reasons;
      const why = [];
      if (r.link) why.push(r.link.relation === "shared" ? w.shared : w.named);
      if (r.themes.length) why.push(`${w.themes}: ${r.themes.map((x) => x.label).join(", ")}`);
      if (r.terms.length) why.push(`${w.terms}: ${r.terms.join(", ")}`);
      if (r.same_region) why.push(w.region);
      if (why.length) li.append(el("p", why.join(" · "), { class: "why" }));
      list.append(li);
    }
    section.append(list);
  }

  // ---- The search box: search as you type, with suggestions (a WAI-ARIA combobox) ----

  const box = $("q");
  const listbox = $("suggestions");
  let typingTimer = 0;
  let suggestController = null;
  let active = -1;
  let options = [];
  let pendingFocus = null;

  function closeList() {
    listbox.hidden = true;
    listbox.replaceChildren();
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function setActive(i) {
    active = i;
    listbox.querySelectorAll("[role=option]").forEach((node, n) => node.setAttribute("aria-selected", String(n === i)));
    if (i >= 0) {
      box.setAttribute("aria-activedescendant", `suggestion-${i}`);
      const node = $(`suggestion-${i}`);
      if (node && node.scrollIntoView) node.scrollIntoView({ block: "nearest" });
    } else box.removeAttribute("aria-activedescendant");
  }

  async function suggest(text) {
    if (suggestController) suggestController.abort();
    if (text.trim().length < 2) { closeList(); return; }
    const controller = new AbortController();
    suggestController = controller;
    let s;
    try {
      s = await api(`/v1/suggest?${new URLSearchParams({ q: text, limit: 5 })}`, controller.signal);
    } catch {
      return; // Suggestions are a help; their failure shows nowhere.
    }
    if (controller !== suggestController || box.value !== text || document.activeElement !== box) return;
    const words = text.trimEnd().split(/\s+/);
    const head = words.slice(0, -1).join(" ");
    options = [
      ...s.terms.slice(0, 3).map((x) => ({ kind: "term", q: head ? `${head} ${x.term}` : x.term, text: head ? `${head} ${x.term}` : x.term })),
      ...s.documents.slice(0, 4).map((d) => ({ kind: "document", doc: d })),
    ];
    const seen = new Set();
    options = options.filter((o) => {
      const key = o.kind === "term" ? `t:${o.q}` : `d:${o.doc.id}`;
      if (seen.has(key) || (o.kind === "term" && o.q === text.trim())) return false;
      seen.add(key);
      return true;
    });
    if (!options.length) { closeList(); return; }
    listbox.replaceChildren(...options.map((o, i) => {
      const li = el("li", null, { role: "option", id: `suggestion-${i}`, "aria-selected": "false", class: `option-${o.kind}` });
      if (o.kind === "term") {
        li.append(el("span", o.text, { class: "text" }));
      } else {
        li.append(el("span", o.doc.title, { class: "text", lang: o.doc.language }),
          el("span", ` – ${label("kind", o.doc.kind)}`, { class: "muted" }));
      }
      // Pressed, not clicked: the field keeps focus.
      li.addEventListener("mousedown", (e) => e.preventDefault());
      li.addEventListener("click", () => pick(i));
      return li;
    }));
    listbox.hidden = false;
    box.setAttribute("aria-expanded", "true");
    setActive(-1);
    const status = $("suggest-status");
    status.textContent = t().suggestCount(options.length);
  }

  function pick(i) {
    const o = options[i];
    closeList();
    clearTimeout(typingTimer);
    if (!o) return;
    const state = current();
    if (o.kind === "term") {
      box.value = o.q;
      go({ ...state, q: o.q, offset: 0, doc: "" }, { keepScroll: true, replace: typedEntry });
    } else {
      const from = href({ ...state, q: box.value.trim(), offset: 0, doc: "" });
      go({ doc: o.doc.id, lang }, { focus: "document", entry: { from, depth: 1 } });
    }
  }

  /** Runs the search for what is typed, without a history entry per key. */
  function searchTyped() {
    const state = current();
    const q = box.value.trim();
    if (q === state.q && !state.doc) return;
    if (q.length === 1) return;
    go({ ...state, q, offset: 0, doc: "" }, { replace: typedEntry, typing: true, keepScroll: true });
  }

  box.addEventListener("input", () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { suggest(box.value); searchTyped(); }, TYPING_DELAY_MS);
  });

  box.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && options.length) {
      e.preventDefault();
      setActive(active + 1 >= options.length ? 0 : active + 1);
    } else if (e.key === "ArrowUp" && options.length) {
      e.preventDefault();
      setActive(active <= 0 ? options.length - 1 : active - 1);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      pick(active);
    } else if (e.key === "Escape") {
      if (!listbox.hidden) { e.preventDefault(); closeList(); }
    }
  });
  box.addEventListener("blur", () => window.setTimeout(() => { if (document.activeElement !== box) closeList(); }, 0));

  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(typingTimer);
    if (suggestController) suggestController.abort();
    closeList();
    const state = current();
    const q = box.value.trim();
    // A new query starts from its first page, keeping the filters and the chosen order.
    go({ ...state, q, offset: 0, doc: "", sort: q ? state.sort : state.sort === "relevance" ? "" : state.sort }, { replace: typedEntry || (q === state.q && !state.doc) });
  });

  // ---- The rest of the wiring ----

  $("sort").addEventListener("change", () => {
    const state = current();
    const value = $("sort").value;
    const byDefault = state.q ? "relevance" : "newest";
    go({ ...state, sort: value === byDefault ? "" : value, offset: 0 }, { focus: "sort", keepScroll: true });
  });

  $("filters-toggle").addEventListener("click", () => setPanel(!panelOpen));

  for (const a of document.querySelectorAll("[data-lang]")) {
    a.addEventListener("click", (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      lang = a.dataset.lang;
      try { localStorage.setItem("innohaku-lang", lang); } catch { /* private mode */ }
      // The same view in another language, in place: the way back to a search is kept.
      const entry = { ...(history.state || {}) };
      if (entry.from) entry.from = href({ ...read(entry.from.replace(/^[^?]*/, "")), lang });
      go({ ...current(), lang }, { replace: true, keepScroll: true, entry });
    });
  }

  $("brand").addEventListener("click", (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go({ lang }, {});
  });

  window.addEventListener("popstate", () => {
    const how = { restoreScroll: true, ...(pendingFocus || {}) };
    pendingFocus = null;
    route(how);
  });
  window.addEventListener("online", () => {
    if (!$("problem").hidden && $("problem").dataset.kind === "offline" && retry) retry();
  });
  $("skip").addEventListener("click", (e) => {
    const target = document.querySelector($("skip").getAttribute("href"));
    if (!target) return;
    e.preventDefault();
    target.focus();
    target.scrollIntoView({ block: "start" });
  });

  // Scroll positions are put back by the page, once its view is drawn.
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";

  // A link that names no language opens in Finnish, except the bare start page, which
  // opens in the language last chosen here.
  const start = current();
  if (!start.lang) {
    let stored = null;
    try { stored = localStorage.getItem("innohaku-lang"); } catch { /* private mode */ }
    if (!location.search && LANGS.includes(stored) && stored !== "fi") {
      lang = stored;
      history.replaceState(history.state, "", href({ lang }));
    }
  } else {
    lang = start.lang;
  }
  applyLanguage(current());
  api("/v1/vocabulary")
    .then((v) => { vocabulary = v; })
    .catch(() => {})
    .finally(() => route({ restoreScroll: history.state && typeof history.state.scroll === "number" ? true : undefined }));
})();
