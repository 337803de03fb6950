import * as dashboard from './dashboard.js';
import * as models from './models.js';
import * as activity from './activity.js';
import * as playground from './playground.js';

// Each tab polls only while shown, so a console left on one page does not load the others' APIs.
const tabs = { dashboard, models, activity, playground };
let current;

function show() {
  const name = tabs[location.hash.slice(1)] ? location.hash.slice(1) : 'dashboard';
  if (name === current) return;
  if (current) {
    tabs[current].hide();
    document.getElementById(`tab-${current}`).hidden = true;
  }
  current = name;
  document.getElementById(`tab-${name}`).hidden = false;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.tab === name);
  tabs[name].show();
}

for (const [name, tab] of Object.entries(tabs)) tab.init(document.getElementById(`tab-${name}`));
window.addEventListener('hashchange', show);
show();
