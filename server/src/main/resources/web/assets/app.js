// ohmyotp website: copy buttons. Loaded from this origin only (the page's CSP allows no inline
// script); htmx does the live updates.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const text = button.dataset.copy;
  const done = () => {
    const label = button.textContent;
    button.textContent = "Copied";
    button.classList.add("copied");
    setTimeout(() => { button.textContent = label; button.classList.remove("copied"); }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text) && done());
  } else if (fallbackCopy(text)) {
    done();
  }
});

// Plain http on a host other than localhost has no clipboard API.
function fallbackCopy(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  area.remove();
  return ok;
}

// A form that asks first (deleting, rotating): data-confirm holds the question.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// Every example on the docs page gets a copy button holding its text as written.
document.addEventListener("DOMContentLoaded", () => {
  for (const block of document.querySelectorAll(".docs pre")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy copy-example";
    button.textContent = "Copy";
    button.dataset.copy = block.innerText;
    block.before(button);
  }
});

// Times arrive in UTC; each is shown in the reader's own zone, as their clock shows it. Again
// after every htmx swap, which brings new ones.
const localTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
});
function showLocalTimes(root) {
  for (const el of root.querySelectorAll("time[data-local]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) continue;
    el.title = el.textContent;
    el.textContent = localTime.format(when);
    el.removeAttribute("data-local");
  }
}
document.addEventListener("DOMContentLoaded", () => showLocalTimes(document));
document.addEventListener("htmx:afterSwap", (event) => showLocalTimes(event.target));
