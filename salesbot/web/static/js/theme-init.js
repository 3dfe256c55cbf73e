// Applies the saved theme before the first paint (a classic script: runs before the body renders).
(function () {
  try {
    var saved = localStorage.getItem("salesbot.theme");
    if (saved === "light" || saved === "dark") document.documentElement.dataset.theme = saved;
  } catch (e) {
    /* storage disabled: follow the system preference */
  }
})();
