/** For browser-bundle.spec.ts: a module that reads a Node global at load time (a browser has no `process`). */
console.log(`platform: ${process.platform}`);
