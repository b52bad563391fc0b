// The page's colour theme: "auto" (follow the system's prefers-color-scheme), "light" or
// "dark", remembered in localStorage. A classic script loaded in <head> (not a module) so
// that html[data-theme] is set before the first paint: no flash of the wrong theme.
// style.css does the rest: every colour is light-dark(...) and follows color-scheme.
(() => {
  const KEY = "statelab-theme";
  const THEMES = ["auto", "light", "dark"];
  const ICONS = { auto: "◐", light: "☀", dark: "☾" };
  const LABELS = { auto: "Auto theme", light: "Light theme", dark: "Dark theme" };
  const DESCRIPTIONS = { auto: "Auto (follows the system)", light: "Light", dark: "Dark" };

  function stored() {
    try {
      const value = localStorage.getItem(KEY);
      return THEMES.includes(value) ? value : "auto";
    } catch {
      return "auto"; // storage blocked: the system's preference
    }
  }

  function apply(theme) {
    if (theme === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }

  function label(button, theme) {
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = `${ICONS[theme]} `;
    const text = document.createElement("span");
    text.className = "label"; // hidden on narrow screens: the icon (and aria-label) remain
    text.textContent = LABELS[theme];
    button.replaceChildren(icon, text);
    button.setAttribute("aria-label", `Colour theme: ${DESCRIPTIONS[theme]}. Press to change.`);
    button.dataset.theme = theme;
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("theme-toggle");
    if (!button) return;
    label(button, stored());
    button.hidden = false;
    button.addEventListener("click", () => {
      const next = THEMES[(THEMES.indexOf(stored()) + 1) % THEMES.length];
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // not remembered, still applied
      }
      apply(next);
      label(button, next);
    });
  });
})();
