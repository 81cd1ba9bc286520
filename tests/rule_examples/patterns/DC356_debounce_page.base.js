// path: lib/client/chart.js
const $ = require('jquery');
const redraw = _.debounce(() => $('#chart').render(), 100);  // ok: DC356
window.addEventListener('resize', redraw);
