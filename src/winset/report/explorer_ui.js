// The deal explorer's controls: one select per issue, a start from the status quo or a proposal,
// the figures of the package chosen (WinsetCore's arithmetic), the constraints it breaks, and the
// package in the page's address (#package=issue=option,...), so that a copied link reopens it.
(() => {
  const root = document.getElementById("explorer");
  if (!root) return;
  const data = JSON.parse(document.getElementById("winset-explorer").textContent);
  const tables = data.publics.map((p) => WinsetCore.unpack(p.table));
  const utilityTables = data.negotiators.map((n) => WinsetCore.unpack(n.table));
  const selects = data.issues.map((id) => root.querySelector(`select[name="${CSS.escape(id)}"]`));
  const percent = (value) => `${(value * 100).toFixed(1)}%`;
  const fixed = (value) => (Math.abs(value) < 5e-4 ? 0 : value).toFixed(3);
  document.getElementById("explorer-no-script").hidden = true;

  const chosen = () => selects.map((select) => select.selectedIndex);
  const isStatusQuo = (codes) => codes.every((c, k) => c === data.status_quo[k]);

  // "issue=option,..." (the changes from the status quo) to codes, and the parts it could not read
  function read(text) {
    const codes = data.status_quo.slice(), ignored = [], seen = new Set();
    for (const part of text.split(",")) {
      let pair = [];
      try {
        pair = part.split("=").map((s) => decodeURIComponent(s).trim());
      } catch { /* not percent-encoded text */ }
      const [issue, option] = pair, k = pair.length === 2 ? data.issues.indexOf(issue) : -1;
      if (k >= 0 && !seen.has(k) && data.options[k].includes(option)) {
        codes[k] = data.options[k].indexOf(option);
        seen.add(k); // an issue named twice keeps its first option
      } else if (part) ignored.push(part);
    }
    return { codes, ignored };
  }
  const parse = (text) => read(text).codes;

  // A package from the page's address, saying what of it was not understood
  function fromAddress() {
    const { codes, ignored } = read(location.hash.startsWith("#package=") ? location.hash.slice(9) : "");
    const note = document.getElementById("explorer-ignored");
    note.hidden = ignored.length === 0;
    note.textContent = ignored.length
      ? `This page's address names ${ignored.length === 1 ? "an issue or option" : "issues or options"} the scenario does not have, left as the status quo: ${ignored.slice(0, 5).join(", ").slice(0, 200)}${ignored.length > 5 ? ", …" : ""}.`
      : "";
    return codes;
  }

  const written = (codes) =>
    codes
      .map((c, k) => (c === data.status_quo[k] ? null : `${data.issues[k]}=${data.options[k][c]}`))
      .filter((part) => part !== null)
      .join(",");

  const broken = (codes) => WinsetCore.broken(data, codes);

  function update(remember) {
    const codes = chosen();
    const quo = isStatusQuo(codes), breaks = broken(codes);
    let passes = true;
    const plotted = { map: {}, frontier: {} }; // what the figures plot: support or a rule's margin, in points; utility
    data.publics.forEach((pub, i) => {
      const f = WinsetCore.publicFigures(pub, tables[i], codes, data.tolerance, data.interval);
      const byMargin = data.placements.map && data.placements.map.margins[[data.placements.map.x, data.placements.map.y].indexOf(pub.id)];
      plotted.map[pub.id] = 100 * (byMargin ? f.margin : f.support);
      const row = root.querySelector(`tr[data-public="${CSS.escape(pub.id)}"]`);
      const accepted = data.confidence === null ? f.passes : f.p >= data.confidence;
      Object.assign(row.dataset, { support: f.support, lower: f.lower, upper: f.upper });
      Object.assign(row.dataset, quo ? { p: "", margin: "" } : { p: f.p, margin: f.margin }); // no verdict on the reference
      row.dataset.passes = quo ? "" : String(accepted);
      row.querySelector(".support").textContent = percent(f.support);
      row.querySelector(".interval").textContent = Number.isNaN(f.lower) ? "–" : `${percent(f.lower)}–${percent(f.upper)}`;
      row.querySelector(".p").textContent = quo ? "–" : f.p.toFixed(2);
      row.querySelector(".passes").textContent = quo ? "reference (no verdict)" : accepted ? "passes" : "fails";
      row.querySelector(".support").className = `num support ${quo ? "reference" : accepted ? "pass" : "fail"}`;
      if (pub.binding && !accepted) passes = false;
    });
    showVotes(codes, quo);
    let reach = true;
    data.negotiators.forEach((n, i) => {
      const utility = WinsetCore.utility(utilityTables[i], codes), gain = utility - n.reservation;
      plotted.frontier[n.id] = utility;
      const row = root.querySelector(`tr[data-negotiator="${CSS.escape(n.id)}"]`);
      Object.assign(row.dataset, { utility, gain });
      row.querySelector(".utility").textContent = fixed(utility);
      row.querySelector(".gain").textContent = `${gain >= 0 ? "+" : ""}${fixed(gain)}`;
      if (utility < n.floor) reach = false;
    });
    const inWinset = !quo && breaks.length === 0 && passes && reach;
    root.dataset.inWinset = String(inWinset);
    root.dataset.allowed = String(breaks.length === 0);
    const note = document.getElementById("explorer-forbidden");
    note.hidden = breaks.length === 0;
    note.querySelectorAll("[data-constraint]").forEach((span) => {
      span.hidden = !breaks.some((c) => c.id === span.dataset.constraint);
    });
    const verdict = document.getElementById("explorer-verdict");
    verdict.classList.toggle("pass", inWinset);
    verdict.textContent = quo
      ? "The status quo: no agreement, the reference every support is measured against."
      : breaks.length
        ? "Not allowed: the scenario's constraints forbid this combination (below)."
        : inWinset
          ? "In the joint win-set: every binding rule passes and every negotiator gains at least its reservation value."
          : `Not in the joint win-set: ${passes ? "" : "a binding rule fails"}${!passes && !reach ? ", and " : ""}${reach ? "" : "a negotiator falls below its reservation value"}.`;
    mark(plotted);
    if (effectsShown.open) showEffects();
    if (asked) whatPasses(); // what would pass from this package, not the one before
    if (remember) {
      history.replaceState(null, "", `#package=${written(codes)}`);
      document.getElementById("explorer-ignored").hidden = true;
    }
  }

  // Each vote of a rule over groups, member by member (no verdict on the status quo)
  const voteBodies = [...root.querySelectorAll("tbody[data-vote-public]")];
  function showVotes(codes, quo) {
    let at = 0;
    data.publics.forEach((pub, i) => {
      for (const vote of WinsetCore.votes(pub, tables[i], codes, data.tolerance, data.interval)) {
        const body = voteBodies[at++];
        Object.assign(body.dataset, { yesVotes: vote.yesVotes, margin: vote.margin, passes: quo ? "" : String(vote.passes) });
        body.querySelector(".count").textContent = `${Number(vote.yesVotes.toPrecision(4))} yes votes`;
        body.querySelector(".vote-verdict").textContent = quo ? "the reference (no verdict)" : vote.passes ? "passes" : "fails";
        vote.members.forEach((m, j) => {
          const row = body.querySelector(`tr[data-member="${j}"]`);
          Object.assign(row.dataset, { support: m.support, lower: m.lower, upper: m.upper, margin: m.margin,
            yes: String(m.yes), pivotal: String(m.pivotal), blocking: String(m.blocking) });
          row.querySelector(".support").textContent = percent(m.support);
          row.querySelector(".interval").textContent = Number.isNaN(m.lower) ? "–" : `${percent(m.lower)}–${percent(m.upper)}`;
          row.querySelector(".says").textContent = m.yes ? "yes" : "no";
          row.querySelector(".decides").textContent = quo ? "" : m.blocking ? "the rule" : m.pivotal ? "the vote" : "";
        });
      }
    });
  }

  // The package as a ring on the ratification map and on the negotiators' frontier
  function mark(plotted) {
    for (const [section, place] of Object.entries(data.placements)) {
      const figure = document.querySelector(`#${section} figure svg`);
      if (!figure) continue;
      let ring = figure.querySelector(".explorer-mark");
      if (!ring) {
        ring = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        ring.setAttribute("class", "explorer-mark");
        ring.setAttribute("r", "7");
        ring.setAttribute("fill", "none");
        ring.setAttribute("stroke", "#111111");
        ring.setAttribute("stroke-width", "2.5");
        ring.setAttribute("aria-hidden", "true");
        figure.append(ring);
      }
      const [x, y] = [plotted[section][place.x], plotted[section][place.y]];
      ring.setAttribute("cx", place.svg.x[0] + place.svg.x[1] * x);
      ring.setAttribute("cy", place.svg.y[0] + place.svg.y[1] * y);
      ring.dataset.x = x;
      ring.dataset.y = y;
    }
  }

  // What each single change does to every public's support
  const effectsShown = document.getElementById("explorer-effects");
  function showEffects() {
    const body = effectsShown.querySelector("tbody"), current = chosen();
    body.replaceChildren();
    for (const effect of WinsetCore.effects(data, tables, current)) {
      const row = body.insertRow();
      row.dataset.issue = data.issues[effect.issue];
      row.dataset.option = data.options[effect.issue][effect.option];
      const label = root.querySelector(`label[for="explorer-issue-${CSS.escape(data.issues[effect.issue])}"]`);
      row.insertCell().append(...[...label.childNodes].map((node) => node.cloneNode(true)));
      row.insertCell().append(...optionSpans(effect.issue, effect.option), effect.allowed ? "" : " (not allowed)");
      effect.deltas.forEach((delta, i) => {
        const cell = row.insertCell();
        cell.className = "num";
        cell.dataset.public = data.publics[i].id;
        cell.dataset.delta = delta;
        cell.textContent = `${delta >= 0 ? "+" : ""}${(delta * 100).toFixed(1)}`;
      });
    }
  }
  effectsShown.addEventListener("toggle", () => { if (effectsShown.open) showEffects(); });

  function show(codes, remember) {
    codes.forEach((c, k) => { selects[k].selectedIndex = c; });
    update(remember);
  }

  function relabel() {
    const language = (document.querySelector('input[name="lang"]:checked') || {}).value;
    for (const select of selects) {
      for (const option of select.options) {
        const labels = JSON.parse(option.dataset.labels);
        option.textContent = labels[language] || option.textContent;
      }
    }
    if (asked) whatPasses(); // the buttons' names in the language chosen
  }

  // What would pass: the nearest ratifiable packages and the best that keeps the locked options
  let judged = null, asked = false;
  const locks = [...root.querySelectorAll('input[type="checkbox"][data-issue]')];
  // An issue's or option's label in every language (the page's switch shows one), each isolated
  // so that right-to-left text keeps to itself
  const issueLabel = (k) => root.querySelector(`label[for="explorer-issue-${CSS.escape(data.issues[k])}"]`);
  function optionSpans(k, c) {
    return Object.entries(JSON.parse(selects[k].options[c].dataset.labels)).map(([language, text]) => {
      const span = document.createElement("span");
      Object.assign(span, { className: `l-${language}`, lang: language, dir: "auto", textContent: text });
      return span;
    });
  }
  function labelled(k, c) {
    const out = document.createElement("span");
    out.append(...[...issueLabel(k).childNodes].map((node) => node.cloneNode(true)), ": ", ...optionSpans(k, c));
    return out;
  }

  function offer(item, found, current) {
    const changed = found.codes.map((c, k) => k).filter((k) => found.codes[k] !== current[k]);
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "show";
    const plain = changed.map((k) => `${issueLabel(k).innerText}: ${selects[k].options[found.codes[k]].textContent}`);
    button.setAttribute("aria-label", `show ${plain.join("; ") || "this package"}`);
    button.addEventListener("click", () => {
      show(found.codes, true);
      document.getElementById("explorer-verdict").focus(); // the list is rebuilt: say where the package now stands
    });
    item.dataset.package = written(found.codes); // as the page's address writes it
    changed.forEach((k, i) => item.append(i ? "; " : "", labelled(k, found.codes[k])));
    item.append(`${changed.length ? "" : "no change"} (smallest margin ${(found.margin * 100).toFixed(1)} points) `, button);
  }

  // The engine's packages, where the page does not search every package itself
  const given = data.what_passes;
  function listed(list) {
    const kind = { 1: Uint8Array, 2: Uint16Array, 4: Int32Array }[list.width], n = data.issues.length;
    const codes = WinsetCore.decode(list.codes, kind), margins = WinsetCore.decode(list.margins, Float64Array);
    return Array.from({ length: list.count }, (_, i) =>
      ({ codes: Array.from(codes.subarray(i * n, (i + 1) * n)), margin: margins[i], passes: true }));
  }
  const startButtons = [...root.querySelectorAll(".explorer-start-button")];
  const same = (a, b) => a.every((c, k) => c === b[k]);

  // What the page finds itself (over every package, or the win-set the engine listed), or what
  // the engine found for a starting package or one kept option, and otherwise the command to run
  function found(current, locked) {
    if (given.search !== "precomputed") {
      judged = judged || (given.search === "listed" ? listed(given.winset)
        : WinsetCore.winset(data, tables, utilityTables));
      return { near: WinsetCore.nearest(judged, current, locked, 3), top: WinsetCore.best(judged, current, locked) };
    }
    const start = startButtons.find((b) => same(parse(b.dataset.package), current));
    const near = !locked.length && start ? listed(given.nearest[start.dataset.start]) : null;
    let top = null;
    if (locked.length === 0) top = listed(given.best)[0] || null;
    else if (locked.length === 1) {
      const k = locked[0], entry = given.locks.find((l) => l.issue === k && l.option === current[k]);
      top = listed(entry.best)[0] || null;
    } else top = undefined; // not precomputed
    return { near, top };
  }

  function whatPasses() {
    asked = true;
    const current = chosen(), locked = locks.filter((box) => box.checked).map((box) => Number(box.dataset.issue));
    const list = document.getElementById("explorer-nearest"), best = document.getElementById("explorer-best");
    const command = document.getElementById("explorer-command");
    list.replaceChildren();
    best.replaceChildren();
    delete best.dataset.package;
    const { near, top } = found(current, locked), commands = [];
    const kept = locked.map((k) => `${data.issues[k]}=${data.options[k][current[k]]}`).join(",");
    for (const package_ of near || []) {
      const item = document.createElement("li");
      offer(item, package_, current);
      list.append(item);
    }
    const allowed = broken(current).length === 0;
    const possible = !locked.length || WinsetCore.someDeal(data, current.map((c, k) => (locked.includes(k) ? c : -1)));
    if (!possible) {
      best.textContent = "No deal keeps the locked options: the constraints allow none.";
    } else if (near === null && !allowed) {
      commands.push(["The nearest ratifiable packages: the constraints forbid this package, and the engine judges only packages they allow.", ""]);
    } else if (near === null) {
      const keeping = locked.length ? ` --keep '${kept}'` : "";
      commands.push([`The nearest ratifiable packages to this one${locked.length ? " that keep the locked options" : ""}:`,
        `winset assess SCENARIO --package '${written(current) || "status_quo"}'${keeping}${data.command_options}`]);
    }
    if (!possible) {
      // said above
    } else if (top) {
      best.append(locked.length ? "Best keeping the locked options: " : "Best of all: ");
      offer(best, top, current);
    } else if (top === undefined) {
      commands.push(["The best that keeps the locked options:", `winset solve SCENARIO --keep '${kept}'${data.command_options}`]);
    } else {
      best.textContent = locked.length
        ? "No package in the joint win-set keeps the locked options."
        : "No package is in the joint win-set.";
    }
    command.replaceChildren();
    command.hidden = commands.length === 0;
    commands.forEach(([said, line], i) => {
      const code = document.createElement("code");
      code.textContent = line;
      command.append(i ? " " : "", ...(line ? [`${said} `, code, "."] : [said]));
    });
  }

  const find = document.getElementById("explorer-find");
  find.addEventListener("click", () => {
    if (judged || given.search !== "page") return whatPasses();
    find.disabled = true;
    document.getElementById("explorer-best").textContent = "Searching every allowed package…";
    setTimeout(() => { whatPasses(); find.disabled = false; find.focus(); }, 20); // let the page say so first
  });
  locks.forEach((box) => box.addEventListener("change", () => { if (asked) whatPasses(); }));
  selects.forEach((select) => select.addEventListener("change", () => update(true)));
  root.querySelectorAll(".explorer-start-button").forEach((button) =>
    button.addEventListener("click", () => show(parse(button.dataset.package), true)));
  document.querySelectorAll('input[name="lang"]').forEach((input) => input.addEventListener("change", relabel));
  window.addEventListener("hashchange", () => {
    if (location.hash.startsWith("#package=")) show(fromAddress(), false);
  });
  // once the whole page is in: the figures the package is marked on come after this section
  const start = () => {
    relabel();
    show(fromAddress(), false);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
