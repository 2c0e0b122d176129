// The Central Dashboard stand-in the gateway serves, run in a VM context with the browser objects it
// uses: it keeps the contract KFP's UI relies on (init(cb) hands cb a handler, then
// onNamespaceSelected(ns)), picks ?ns= only among the user's teams, remembers the last pick, and shows a
// picker only when there is a choice.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runInNewContext } from "node:vm";
import { dashboardLib, STORAGE_KEY } from "../modules/kfp/multi-user/dashboard-lib";
import { NAMESPACES_PATH } from "../modules/kfp/multi-user/gateway-config";

interface Page {
  selected: string[];
  appended: any[];
  fetched: string[];
  errors: string[];
  storage: Map<string, string>;
}

/** Loads the script into a fake page whose gateway answers `namespaces`, then runs the UI's init. */
async function load(namespaces: string[] | number, search = "", stored?: string): Promise<Page & { isIframed: unknown }> {
  const page: Page = { selected: [], appended: [], fetched: [], errors: [], storage: new Map(stored ? [[STORAGE_KEY, stored]] : []) };
  const element = (tag: string) => {
    const el: any = { tag, children: [] as any[], style: {}, attributes: {} as Record<string, string>, listeners: {} as Record<string, () => void> };
    el.setAttribute = (k: string, v: string) => (el.attributes[k] = v);
    el.appendChild = (c: any) => el.children.push(c);
    el.addEventListener = (type: string, fn: () => void) => (el.listeners[type] = fn);
    return el;
  };
  const window: any = {
    location: { search },
    localStorage: { getItem: (k: string) => page.storage.get(k) ?? null, setItem: (k: string, v: string) => page.storage.set(k, v) },
    fetch: async (url: string) => {
      page.fetched.push(url);
      return typeof namespaces === "number" ? { ok: false, status: namespaces, json: async () => null } : { ok: true, status: 200, json: async () => namespaces };
    },
  };
  const document = { body: { appendChild: (el: any) => page.appended.push(el) }, createElement: element, addEventListener: () => undefined };
  const console = { error: (m: string) => page.errors.push(m) };
  runInNewContext(dashboardLib(), { window, document, console, URLSearchParams });
  // What KFP's KubeflowClient does: init with a callback that subscribes to namespace changes.
  let isIframed: unknown;
  await window.centraldashboard.CentralDashboardEventHandler.init((handler: any, iframed: unknown) => {
    isIframed = iframed;
    handler.onNamespaceSelected = (ns: string) => page.selected.push(ns);
  });
  return { ...page, isIframed };
}

describe("Central Dashboard stand-in", () => {
  it("asks the gateway for the user's namespaces and selects the first", async () => {
    const page = await load(["nlp", "vision"]);
    assert.deepEqual(page.fetched, [NAMESPACES_PATH]);
    assert.equal(page.isIframed, false);
    assert.deepEqual(page.selected, ["nlp"]);
    assert.equal(page.storage.get(STORAGE_KEY), "nlp");
  });

  it("honours ?ns= only for a namespace the user belongs to, then the remembered one", async () => {
    assert.deepEqual((await load(["nlp", "vision"], "?ns=vision")).selected, ["vision"]);
    assert.deepEqual((await load(["nlp", "vision"], "?ns=finance", "vision")).selected, ["vision"]);
    assert.deepEqual((await load(["nlp"], "?ns=finance", "vision")).selected, ["nlp"]);
  });

  it("shows a picker only with a choice, and a pick reaches the UI and is remembered", async () => {
    assert.equal((await load(["nlp"])).appended.length, 0);
    const page = await load(["nlp", "vision"]);
    const [select] = page.appended;
    assert.deepEqual(select.children.map((o: any) => o.value), ["nlp", "vision"]);
    assert.equal(select.children[0].selected, true);
    select.value = "vision";
    select.listeners.change();
    assert.deepEqual(page.selected, ["nlp", "vision"]);
    assert.equal(page.storage.get(STORAGE_KEY), "vision");
  });

  it("selects nothing and says why for a user in no team, or when the gateway refuses", async () => {
    const none = await load([]);
    assert.deepEqual(none.selected, []);
    assert.match(none.errors[0], /no team namespace/);
    const refused = await load(401);
    assert.deepEqual(refused.selected, []);
    assert.match(refused.errors[0], /HTTP 401/);
  });
});
