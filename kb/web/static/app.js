// kb serve: search as you type, the sidebar toggle on small screens, live reload. Plain DOM, no libraries.
"use strict";

(function () {
  const input = document.getElementById("q");
  const panel = document.getElementById("results");
  let timer = null;
  let seq = 0;

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
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      panel.hidden = true;
      panel.replaceChildren();
      return;
    }
    const response = await fetch("/api/search?limit=8&q=" + encodeURIComponent(q));
    if (mine !== seq) return; // a newer query was typed meanwhile
    if (!response.ok) {
      panel.textContent = "Search failed (" + response.status + ")";
      panel.hidden = false;
      return;
    }
    show(await response.json());
  }

  if (input && panel) {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
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
