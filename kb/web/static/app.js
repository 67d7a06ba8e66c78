// kb serve: search as you type, the sidebar toggle on small screens, live reload. Plain DOM, no libraries.
"use strict";

(function () {
  const input = document.getElementById("q");
  const panel = document.getElementById("results");
  const form = input ? input.form : null;
  // The filter controls beside the box (tag, kind, status, year): same parameter names as /search
  // and /api/search, so a filtered search is one URL.
  const filters = form ? Array.from(form.querySelectorAll(".search-filters [name]")) : [];
  const YEAR = /^(\d{4}|\d{4}\.\.(\d{4})?|\.\.\d{4})$/;
  let timer = null;
  let seq = 0;

  // The query and the filters that are set; a year still being typed ("201") is left out until it
  // reads as a year or a range.
  function params() {
    const p = new URLSearchParams();
    p.set("q", input.value.trim());
    for (const el of filters) {
      const v = el.value.trim();
      if (v && (el.name !== "year" || YEAR.test(v))) p.set(el.name, v);
    }
    return p;
  }

  function markFiltered() {
    const any = filters.some((el) => el.value.trim());
    form.classList.toggle("filtered", any);
    const year = filters.find((el) => el.name === "year");
    if (year) year.classList.toggle("invalid", Boolean(year.value.trim()) && !YEAR.test(year.value.trim()));
  }

  // Put the search in the address bar (without reloading), so it can be linked and survives a reload.
  function reflect(p) {
    const url = new URL(location.href);
    for (const key of ["q", ...filters.map((el) => el.name)]) url.searchParams.delete(key);
    if (p.get("q")) for (const [k, v] of p) url.searchParams.set(k, v);
    history.replaceState(history.state, "", url);
  }

  function noteUrl(path) {
    return "/notes/" + path.split("/").map(encodeURIComponent).join("/");
  }

  // An excerpt with its matches in <mark>; offsets count code points, as Python's do.
  function excerpt(h) {
    const p = document.createElement("p");
    p.className = "excerpt";
    const chars = Array.from(h.text);
    let last = 0;
    for (const [start, end] of h.matches) {
      p.append(chars.slice(last, start).join(""));
      const m = document.createElement("mark");
      m.textContent = chars.slice(start, end).join("");
      p.append(m);
      last = end;
    }
    p.append(chars.slice(last).join(""));
    return p;
  }

  function show(data) {
    panel.replaceChildren();
    if (data.corrected) {
      const n = document.createElement("p");
      n.className = "notice";
      n.append("Showing results for ");
      const b = document.createElement("strong");
      b.textContent = data.corrected;
      n.append(b);
      panel.append(n);
    }
    if (data.fallback_any) {
      const n = document.createElement("p");
      n.className = "notice";
      n.textContent = "No note has every word; showing notes that match some of them.";
      panel.append(n);
    }
    if (!data.hits.length) {
      const n = document.createElement("p");
      n.className = "muted";
      n.textContent = "No notes found.";
      panel.append(n);
    }
    const list = document.createElement("ol");
    list.className = "hits";
    for (const hit of data.hits) {
      const li = document.createElement("li");
      li.className = "hit";
      const a = document.createElement("a");
      a.href = noteUrl(hit.path);
      const title = hit.highlights.find((h) => h.field === "title");
      a.append(title ? excerpt(title) : hit.title);
      li.append(a);
      const meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " " + hit.kind + (hit.year ? " · " + hit.year : "") + " · " + hit.path;
      li.append(meta);
      for (const h of hit.highlights) {
        if (h.field !== "title") li.append(excerpt(h));
      }
      list.append(li);
    }
    panel.append(list);
    panel.hidden = false;
  }

  async function search() {
    const p = params();
    const mine = ++seq;
    markFiltered();
    reflect(p);
    if (!p.get("q")) {
      panel.hidden = true;
      panel.replaceChildren();
      return;
    }
    const response = await fetch("/api/search?limit=8&" + p.toString());
    if (mine !== seq) return; // a newer query was typed meanwhile
    if (!response.ok) {
      panel.textContent = "Search failed (" + response.status + "): " + (await response.text());
      panel.hidden = false;
      return;
    }
    show(await response.json());
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  }

  if (input && panel) {
    input.addEventListener("input", later);
    for (const el of filters) {
      el.addEventListener(el.tagName === "SELECT" ? "change" : "input", later);
    }
    // A linked search (`?q=…&kind=paper`) opens with its box, filters and results filled in; the
    // /search page shows its own results, so there the panel stays closed.
    const given = new URLSearchParams(location.search);
    for (const el of filters) {
      if (given.get(el.name)) el.value = given.get(el.name);
    }
    if (filters.length) markFiltered();
    if (given.get("q") && filters.length) {
      input.value = given.get("q");
      search();
    }
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") panel.hidden = true;
    });
    document.addEventListener("click", (e) => {
      if (!e.target.closest(".search")) panel.hidden = true;
    });
  }

  const menu = document.querySelector("button.menu");
  const sidebar = document.getElementById("sidebar");
  if (menu && sidebar) {
    menu.addEventListener("click", () => {
      const open = sidebar.classList.toggle("open");
      menu.setAttribute("aria-expanded", String(open));
    });
  }

  // Live reload: the server re-indexes changed files; reload this page when its note changed.
  const current = document.body.dataset.note;
  if (current) {
    let version = null;
    async function poll() {
      try {
        const r = await fetch("/api/changes?since=" + (version === null ? 0 : version));
        const data = await r.json();
        if (!data.live) return; // the server does not watch files: stop polling
        if (version !== null && data.paths.includes(current)) {
          location.reload();
          return;
        }
        version = data.version;
      } catch (err) {
        // the server is gone or restarting: try again later
      }
      setTimeout(poll, 1000);
    }
    poll();
  }
})();
