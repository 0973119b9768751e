// Load a Cytoscape JSON export (kg.export.writers, format "cyjs") with the real cytoscape
// package, headless, and print what it built: {"nodes": n, "edges": m}.
// Usage: node tests/js/count.js FILE.cyjs   (after: npm install --prefix tests/js)
"use strict";

const fs = require("fs");
const cytoscape = require("cytoscape");

const file = process.argv[2];
if (!file) {
  console.error("usage: node count.js FILE.cyjs");
  process.exit(2);
}
const data = JSON.parse(fs.readFileSync(file, "utf8"));
const cy = cytoscape({ headless: true, elements: data.elements });
console.log(JSON.stringify({ nodes: cy.nodes().length, edges: cy.edges().length }));
