// Small progressive enhancements for the server-rendered pages; every page works without this file.
// A module: it runs once the document is parsed, so no ready-handler is needed.

document.documentElement.classList.add("js");

// The server prints times that belong to no site in the viewer's zone (portal/timezones.py): tell
// it which one this browser is in. Read on the next page load.
const rememberTimeZone = () => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) return;
  const current = /(?:^|;\s*)cctv_tz=([^;]*)/.exec(document.cookie);
  if (current && decodeURIComponent(current[1]) === zone) return;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `cctv_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; SameSite=Lax${secure}`;
};

const setUpNavToggle = () => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
};

// Menus of the bar (<details data-nav-menu>) open and close by themselves; this closes an open one
// on a click elsewhere or on Escape, as people expect of a menu.
const setUpNavMenus = () => {
  const menus = Array.from(document.querySelectorAll("details[data-nav-menu]"));
  if (!menus.length) return;
  document.addEventListener("click", (event) => {
    menus.forEach((menu) => { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    menus.forEach((menu) => {
      if (!menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
};

const setUpAutosubmit = () => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => {
      if (!select.form) return;
      if (select.form.requestSubmit) select.form.requestSubmit();
      else select.form.submit();
    });
  });
};

const copyText = async (text) => {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";  // CSSOM, which the Content-Security-Policy allows
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  document.body.removeChild(area);
  if (!ok) throw new Error("copy failed");
};

const setUpCopyButtons = () => {
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source) return;
      const label = button.textContent;
      setTimeout(() => { button.textContent = label; }, 2000);
      try {
        await copyText(source.value || source.textContent);
        button.textContent = "Copied";
      } catch {
        source.select();
        button.textContent = "Press Ctrl+C";
      }
    });
  });
};

// One confirmation for every form with data-confirm, on every page.
const setUpConfirmForms = () => {
  document.addEventListener("submit", (event) => {
    const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
};

rememberTimeZone();
setUpNavToggle();
setUpNavMenus();
setUpAutosubmit();
setUpCopyButtons();
setUpConfirmForms();
