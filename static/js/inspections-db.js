// A small promise wrapper around IndexedDB for the supervisor app's offline store.
// Stores: "visits" (keyPath "key": drafts and the send queue) and "photos" (keyPath "key",
// index "visitKey"; the photo Blob itself is kept until the server has it).
(function () {
  "use strict";
  const NAME = "kaoping-inspections";
  const VERSION = 1;
  let opening = null;

  function promisify(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function open() {
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("visits")) db.createObjectStore("visits", { keyPath: "key" });
        if (!db.objectStoreNames.contains("photos")) {
          const photos = db.createObjectStore("photos", { keyPath: "key" });
          photos.createIndex("visitKey", "visitKey", { unique: false });
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opening;
  }

  async function run(store, mode, action) {
    const db = await open();
    const tx = db.transaction(store, mode);
    const result = await promisify(action(tx.objectStore(store)));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  }

  window.InspectionsDB = {
    put: (store, value) => run(store, "readwrite", (s) => s.put(value)),
    get: (store, key) => run(store, "readonly", (s) => s.get(key)),
    all: (store) => run(store, "readonly", (s) => s.getAll()),
    remove: (store, key) => run(store, "readwrite", (s) => s.delete(key)),
    photosOf: (visitKey) => run("photos", "readonly", (s) => s.index("visitKey").getAll(visitKey)),
  };
})();
