// The script the gateway serves at /dashboard_lib.bundle.js. KFP 2.14.0's UI, in KUBEFLOW mode, learns the
// namespace only from the Central Dashboard's client library (frontend/src/lib/KubeflowClient.tsx calls
// window.centraldashboard.CentralDashboardEventHandler.init(cb); cb(handler, isIframed) sets
// handler.onNamespaceSelected). Without it every list and create call is refused ("cannot have an empty
// namespace in multi-user mode"). This stand-in keeps that contract: it asks the gateway which team
// namespaces the user belongs to, picks one (?ns=, then the last choice, then the first), tells the UI,
// and shows a picker when there is more than one.
import { NAMESPACES_PATH } from "./gateway-config";

/** localStorage key of the last namespace picked. */
export const STORAGE_KEY = "kfp-platform.namespace";

export function dashboardLib(): string {
  return `// kfp-platform: Central Dashboard stand-in for KFP's UI (modules/kfp/multi-user/dashboard-lib.ts).
(function () {
  "use strict";
  var STORAGE_KEY = ${JSON.stringify(STORAGE_KEY)};
  function choose(namespaces, requested, remembered) {
    if (requested && namespaces.indexOf(requested) >= 0) return requested;
    if (remembered && namespaces.indexOf(remembered) >= 0) return remembered;
    return namespaces.length > 0 ? namespaces[0] : undefined;
  }
  function remembered() {
    try { return window.localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
  }
  function remember(ns) {
    try { window.localStorage.setItem(STORAGE_KEY, ns); } catch (e) { /* private mode: not kept */ }
  }
  function picker(namespaces, selected, onChange) {
    var select = document.createElement("select");
    select.setAttribute("aria-label", "Team namespace");
    select.style.cssText = "position:fixed;top:8px;right:16px;z-index:10000;font-size:14px;padding:2px 4px";
    namespaces.forEach(function (ns) {
      var option = document.createElement("option");
      option.value = ns;
      option.textContent = ns;
      if (ns === selected) option.selected = true;
      select.appendChild(option);
    });
    select.addEventListener("change", function () { onChange(select.value); });
    return select;
  }
  function init(callback) {
    var handler = {};
    callback(handler, false);
    return window
      .fetch(${JSON.stringify(NAMESPACES_PATH)}, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("namespaces: HTTP " + response.status);
        return response.json();
      })
      .then(function (namespaces) {
        var requested = new URLSearchParams(window.location.search).get("ns");
        var selected = choose(namespaces, requested, remembered());
        if (selected === undefined) {
          console.error("kfp-platform: you belong to no team namespace; ask a platform admin to add you to a team");
          return;
        }
        remember(selected);
        if (typeof handler.onNamespaceSelected === "function") handler.onNamespaceSelected(selected);
        if (namespaces.length > 1) {
          var show = function () {
            document.body.appendChild(picker(namespaces, selected, function (ns) {
              remember(ns);
              if (typeof handler.onNamespaceSelected === "function") handler.onNamespaceSelected(ns);
            }));
          };
          if (document.body) show(); else document.addEventListener("DOMContentLoaded", show);
        }
      })
      .catch(function (error) { console.error("kfp-platform: " + error.message); });
  }
  window.centraldashboard = { CentralDashboardEventHandler: { init: init } };
})();
`;
}
