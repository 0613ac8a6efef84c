// The /sparql editor: YASGUI (vendored, static/yasgui/) configured for this endpoint only.
//
// YASGUI would call third-party services: Linked Open Vocabularies for class and property
// completion, prefix.cc for prefixes (when prefixCcApi is set), a CORS proxy and a catalogue of
// public endpoints.  Here none of them is used: the completers below complete from this
// endpoint's own data (/sparql/completions, computed once per release), the catalogue lists this
// endpoint alone, and no proxy is set.  Shareable links carry the query and the release in the
// URL's fragment, which the browser never sends: opening one loads this page, not a result file.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const Yasqe = Yasgui.Yasqe;

  function compact(iri, prefixes) {
    let best = "";
    let name = "";
    for (const [prefix, namespace] of Object.entries(prefixes)) {
      if (iri.startsWith(namespace) && namespace.length > best.length) {
        best = namespace;
        name = prefix;
      }
    }
    return best ? name + ":" + iri.substring(best.length) : "<" + iri + ">";
  }

  // A token as the IRI it stands for: predeclared prefixes count as if the query declared them.
  function expandToken(yasqe, token) {
    const prefixes = Object.assign({}, config.prefixes, yasqe.getPrefixesFromQuery());
    const text = token.string.trim();
    const colon = text.indexOf(":");
    if (text.indexOf("<") < 0 && colon > -1 && prefixes[text.substring(0, colon)] !== undefined) {
      token.tokenPrefix = text.substring(0, colon + 1);
      token.tokenPrefixUri = prefixes[text.substring(0, colon)];
      token.autocompletionString = token.tokenPrefixUri + text.substring(colon + 1);
    } else {
      token.autocompletionString = text.replace(/^</, "").replace(/>$/, "");
    }
    return token;
  }

  function withLabels(labels) {
    return function (yasqe, hints) {
      const prefixes = Object.assign({}, config.prefixes, yasqe.getPrefixesFromQuery());
      for (const hint of hints) {
        const iri = hint.text.startsWith("<") ? hint.text.slice(1, -1) : expand(hint.text, prefixes);
        const label = labels.get(iri);
        if (label) hint.displayText = hint.text + "  — " + label;
      }
      return hints;
    };
  }

  function expand(name, prefixes) {
    const colon = name.indexOf(":");
    const namespace = prefixes[name.substring(0, colon)];
    return namespace === undefined ? name : namespace + name.substring(colon + 1);
  }

  function registerCompleters(data) {
    const labels = new Map(data.resources.map((r) => [r.iri, r.label]));
    const byUse = (a, b) => (b.entities || b.triples || 0) - (a.entities || a.triples || 0);
    const classes = data.classes.slice().sort(byUse).map((c) => c.iri);
    const properties = data.properties.slice().sort(byUse).map((p) => p.iri);
    for (const c of data.classes.concat(data.properties)) if (c.label) labels.set(c.iri, c.label);
    const iriCompleter = { bulk: true, persistenceId: null, preProcessToken: expandToken, postprocessHints: withLabels(labels) };
    Yasqe.forkAutocompleter("class", Object.assign({ name: "gcmkg-class", get: classes }, iriCompleter), false);
    Yasqe.forkAutocompleter("property", Object.assign({ name: "gcmkg-property", get: properties }, iriCompleter), false);
    Yasqe.forkAutocompleter(
      "prefixes",
      {
        name: "gcmkg-prefixes",
        persistenceId: null,
        get: Object.entries(data.prefixes).map(([p, ns]) => p + ": <" + ns + ">"),
      },
      false,
    );
    // resources: after "<", by the start of the IRI or any word of the label
    Yasqe.forkAutocompleter(
      "class",
      {
        name: "gcmkg-resource",
        bulk: false,
        autoShow: false,
        persistenceId: null,
        isValidCompletionPosition: (yasqe) => yasqe.getCompleteToken().string.startsWith("<"),
        preProcessToken: expandToken,
        get: (yasqe, token) => {
          const typed = (token.autocompletionString || "").toLowerCase();
          return data.resources
            .filter((r) => r.iri.toLowerCase().startsWith(typed) || r.label.toLowerCase().includes(typed))
            .slice(0, 50)
            .map((r) => r.iri);
        },
        postProcessSuggestion: (yasqe, token, iri) => "<" + iri + ">",
        postprocessHints: withLabels(labels),
      },
      false,
    );
    Yasqe.defaults.autocompleters = ["variables", "gcmkg-prefixes", "gcmkg-class", "gcmkg-property", "gcmkg-resource"];
    return labels;
  }

  // Result tables: links to resources of this graph stay on this service, with their labels.
  function labelLinks(root, labels) {
    for (const link of root.querySelectorAll("a[href]")) {
      const iri = link.getAttribute("href");
      if (link.dataset.gcmkg || !iri.startsWith("http")) continue;
      link.dataset.gcmkg = "1";
      if (iri.startsWith(config.base)) link.setAttribute("href", "/" + iri.substring(config.base.length));
      const label = labels.get(iri);
      if (label) {
        const span = document.createElement("span");
        span.className = "gcmkg-label";
        span.textContent = label;
        link.after(span);
      }
    }
  }

  // The service's 400 says "error at LINE:COLUMN"; mark that place in the editor.
  function markError(yasqe, message) {
    const note = document.getElementById("query-error") || document.createElement("p");
    note.id = "query-error";
    const match = /error at (\d+):(\d+)/.exec(message || "");
    for (const line of document.querySelectorAll(".gcmkg-error-line")) line.classList.remove("gcmkg-error-line");
    if (!match) return;
    const line = Number(match[1]) - 1;
    const column = Number(match[2]) - 1;
    yasqe.addLineClass(line, "background", "gcmkg-error-line");
    yasqe.markText({ line, ch: column }, { line, ch: column + 1 }, { className: "gcmkg-error-at" });
    note.className = "gcmkg-error";
    note.textContent = "Line " + match[1] + ", column " + match[2] + ": " + message.split("\n")[0];
    note.dataset.line = match[1];
    note.dataset.column = match[2];
    document.getElementById("editor").before(note);
  }

  // A shared link's query, and a note when it was made on another release than the one served now.
  function fromFragment() {
    const shared = new URLSearchParams(location.hash.substring(1));
    const made = shared.get("release");
    document.getElementById("release-note").textContent =
      made && made !== config.release ? "(the link was made on release " + made + "; the answer may differ)" : "";
    return shared.get("query");
  }

  function shareLink(query) {
    return location.pathname + "#" + new URLSearchParams({ query, release: config.release }).toString();
  }

  // YASGUI's own share button puts the query in the query string, which /sparql answers with
  // results rather than this page: it gives the fragment link instead, in every tab.
  Yasgui.Tab.prototype.getShareableLink = function () {
    return location.origin + shareLink(this.getQuery());
  };

  function start(data) {
    config.prefixes = data.prefixes;  // predeclared on the endpoint: completion treats them as declared
    const labels = registerCompleters(data);
    const initial = fromFragment() || document.getElementById("query").value;
    const element = document.getElementById("editor");
    element.hidden = false;
    document.getElementById("plain-form").hidden = true;
    document.getElementById("share").hidden = false;
    const yasgui = new Yasgui(element, {
      requestConfig: { endpoint: config.endpoint, method: "POST" },
      endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }], keys: [] },
      copyEndpointOnNewTab: true,
      corsProxy: undefined,
      populateFromUrl: false,
      persistenceId: null,
      yasqe: { value: initial, prefixCcApi: null },
      yasr: { prefixes: data.prefixes },
    });
    const tab = yasgui.getTab();
    tab.setQuery(initial);
    const yasqe = tab.getYasqe();
    const yasr = tab.getYasr();
    const link = document.getElementById("share-link");
    const update = () => (link.href = shareLink(yasqe.getValue()));
    yasqe.on("change", update);
    update();
    yasqe.on("queryResponse", (instance, response) => {
      const failed = response instanceof Error || (response && response.ok === false);
      markError(yasqe, failed ? String(response.message || response.content || "") : "");
    });
    yasr.on("drawn", () => labelLinks(yasr.rootEl, labels));
    for (const a of document.querySelectorAll("a.example, a.saved-example")) {
      a.addEventListener("click", (event) => {
        event.preventDefault();
        const saved = a.dataset.name && config.examples.find((e) => e.name === a.dataset.name);
        tab.setQuery(saved ? saved.query : a.dataset.query);
        element.scrollIntoView();
      });
    }
    window.addEventListener("hashchange", () => {  // a shared link opened in this same page
      const shared = fromFragment();
      if (shared !== null) tab.setQuery(shared);
    });
    window.gcmkgEditor = { yasgui, tab, yasqe, yasr };  // for the browser test and the curious
  }

  fetch(config.completions)
    .then((response) => response.json())
    .then(start);
})();
