// path: lib/client/chart.js
const $ = require('jquery');
const redraw = () => $('#chart').render();
window.addEventListener('resize', redraw);
