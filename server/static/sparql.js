/* The SPARQL editor of /sparql: YASGUI (served locally from vendor/yasgui), the dataset's
   prefixes and the example queries, read from the page's JSON configuration block. */
(function () {
  "use strict";
  function start() {
    var config = JSON.parse(document.getElementById("sparql-config").textContent);
    var endpoint = new URL(config.endpoint, window.location.href).href;
    var form = document.getElementById("sparql-form");
    if (typeof Yasgui === "undefined") {
      // no YASGUI build installed: the plain form stays, the examples fill its text area
      document.querySelectorAll("button.example").forEach(function (button) {
        button.addEventListener("click", function () {
          var area = document.getElementById("sparql-query");
          area.value = config.examples[Number(button.getAttribute("data-index"))];
          area.focus();
        });
      });
      return;
    }
    form.hidden = true;
    Yasgui.Yasr.defaults.prefixes = config.prefixes;
    var yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: "citykg-sparql",
      yasqe: { value: config.examples[0] },
    });
    window.citykgYasgui = yasgui;
    var tab = yasgui.getTab();
    if (tab && !tab.getQuery().trim()) {
      tab.setQuery(config.examples[0]);
    }
    document.querySelectorAll("button.example").forEach(function (button) {
      button.addEventListener("click", function () {
        var index = Number(button.getAttribute("data-index"));
        var current = yasgui.getTab();
        current.setQuery(config.examples[index]);
        current.getYasqe().focus();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
