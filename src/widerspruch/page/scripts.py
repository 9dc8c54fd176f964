"""Scripts run in Meta's pages, one copy each, for everyone who reads or fills a page."""

from __future__ import annotations

# What a person sees: the rendered text, without hidden elements.
VISIBLE_TEXT_JS = "() => document.body ? document.body.innerText : ''"

# Resolves true on the next change to the document, false after `ms` without one.
DOM_ACTIVITY_JS = """(ms) => new Promise(resolve => {
  let timer;
  const observer = new MutationObserver(() => { clearTimeout(timer); observer.disconnect();
                                                resolve(true); });
  observer.observe(document, {subtree: true, childList: true, attributes: true,
                              characterData: true});
  timer = setTimeout(() => { observer.disconnect(); resolve(false); }, ms);
})"""

# The same, watched while the page is read: the observer is in place once this returns,
# and the answer is awaited afterwards (as `changed`), so no change can slip in between.
QUIET_WINDOW_JS = f"(ms) => ({{changed: ({DOM_ACTIVITY_JS})(ms)}})"

# The page's HTML as kept for evidence: nothing that could run, and no hidden or password
# values (form tokens, the session's anti-forgery fields).
CLEAN_HTML_JS = """() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll('script, noscript, iframe, object, embed').forEach(e => e.remove());
  root.querySelectorAll('input[type=hidden], input[type=password]')
      .forEach(e => e.removeAttribute('value'));
  for (const e of root.querySelectorAll('*'))
    for (const a of [...e.attributes]) if (/^on/i.test(a.name)) e.removeAttribute(a.name);
  return '<!DOCTYPE html>\\n' + root.outerHTML;
}"""

# Every text box as tall as its text, for the picture of the filled form (a scrolled box
# would hide its first lines); returns the heights it had, for RESTORE_TEXT_BOXES_JS.
GROW_TEXT_BOXES_JS = """() => Array.from(document.querySelectorAll('textarea')).map(t => {
  const before = [t.style.height, t.style.maxHeight];
  if (t.scrollHeight > t.clientHeight) {
    t.style.maxHeight = 'none';
    t.style.height = (t.scrollHeight + t.offsetHeight - t.clientHeight) + 'px';
  }
  t.scrollTop = 0;
  return before;
})"""
RESTORE_TEXT_BOXES_JS = """(before) => Array.from(document.querySelectorAll('textarea'))
  .forEach((t, i) => { if (before[i]) [t.style.height, t.style.maxHeight] = before[i]; })"""

# What a custom list shows as chosen, without the options it may contain.
SHOWN_VALUE_JS = """e => { const c = e.cloneNode(true);
  c.querySelectorAll('[role=option], [role=listbox]').forEach(o => o.remove());
  return c.textContent || ''; }"""

# Helpers shared by the scripts below: is an element shown, and its name as read aloud.
_JS_HELPERS = r"""
const shown = e => !!e && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
  && getComputedStyle(e).visibility !== 'hidden';
const textOf = e => e ? (e.innerText || e.textContent || '') : '';
const nameOf = e => {
  let name = e.getAttribute('aria-label') || '';
  const ids = e.getAttribute('aria-labelledby');
  if (!name && ids)
    name = ids.split(/\s+/).map(id => textOf(document.getElementById(id))).join(' ');
  const labels = e.labels ? Array.from(e.labels) : [];
  const wrapping = e.closest('label');
  if (wrapping && !labels.includes(wrapping)) labels.push(wrapping);
  if (!name) name = labels.map(textOf).join(' ');
  if (!name && !e.matches('input, textarea, select')) name = textOf(e);
  if (!name) name = e.getAttribute('title') || e.getAttribute('placeholder') || '';
  return name.replace(/\s+/g, ' ').trim();
};
const labelsOf = e => {
  const labels = e.labels ? Array.from(e.labels) : [];
  const wrapping = e.closest('label');
  if (wrapping && !labels.includes(wrapping)) labels.push(wrapping);
  return labels;
};
const FIELDS = 'input:not([type=hidden]), textarea, select, [role=textbox], [role=combobox], '
  + '[role=checkbox], [role=radio], [role=listbox]';
// The part of the page that holds the form: the nearest ancestor of all anchors, or, for
// a single anchor, the nearest ancestor that also holds a field.
const regionOf = anchors => {
  anchors = anchors.filter(Boolean);
  if (!anchors.length) return null;
  let region = anchors[0];
  if (anchors.length === 1) {
    while (region && !Array.from(region.querySelectorAll(FIELDS)).some(f => f !== anchors[0]))
      region = region.parentElement;
    return region;
  }
  while (region && !anchors.every(a => region.contains(a))) region = region.parentElement;
  return region;
};
"""

# What the page says about itself near the form: its title, its headings, the text
# between the form's own heading and the form, and the text of the form's region.
# Side panels, FAQs, footers, menus and dialogs outside the form do not count.
FORM_EVIDENCE_JS = (
    "(anchors) => {"
    + _JS_HELPERS
    + r"""
  const region = regionOf(anchors);
  const ASIDE = 'aside, nav, footer, details, [role=complementary], [role=navigation], '
    + '[role=contentinfo], [role=dialog], [role=alertdialog], [aria-hidden=true]';
  const outside = e => { const a = e.parentElement && e.parentElement.closest(ASIDE);
    return !!a && !(region && a.contains(region)); };
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, [role=heading], legend'))
    .filter(h => shown(h) && !outside(h));
  const before = h => region && !h.contains(region)
    && (h.compareDocumentPosition(region) & Node.DOCUMENT_POSITION_FOLLOWING)
    && !region.contains(h);
  const main = headings.filter(h => h.matches('h1, [role=heading][aria-level="1"]'));
  const preceding = headings.filter(before);
  const own = preceding.length ? preceding[preceding.length - 1] : null;
  const inside = region ? headings.filter(h => region.contains(h)) : headings;
  const picked = [];
  for (const h of [...(own ? [own] : []), ...main, ...inside])
    if (!picked.includes(h)) picked.push(h);
  let intro = '';
  if (own && region) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    walker.currentNode = own;
    let node;
    while ((node = walker.nextNode()) && intro.length < 4000) {
      if (region.contains(node)) break;
      if (!(region.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING)) break;
      const parent = node.parentElement;
      if (!parent || own.contains(parent) || parent.closest('script, style, noscript')) continue;
      if (!shown(parent) || outside(node)) continue;
      intro += ' ' + node.textContent;
      if (parent.closest('p, div, li, span, section') && /\S$/.test(intro)) intro += '\n';
    }
  }
  const title = document.title || '';
  const clean = s => s.replace(/\s+/g, ' ').trim();
  return {
    title: clean(title),
    heading: clean(textOf(own || main[0] || inside[0])),
    headings: picked.map(h => clean(textOf(h))).filter(Boolean),
    intro: intro.slice(0, 4000),
    region: region ? textOf(region).slice(0, 8000) : '',
  };
}"""
)

# Every checkbox of the form (the <form> around its region, else the region itself)...
CHECKBOXES_JS = (
    "(anchors) => {"
    + _JS_HELPERS
    + r"""
  const region = regionOf(anchors);
  const scope = (region && region.closest('form')) || region || document;
  return Array.from(scope.querySelectorAll('input[type=checkbox], [role=checkbox]'));
}"""
)
# ...and what a person reads beside each.
CHECKBOX_INFO_JS = (
    "(boxes) => {"
    + _JS_HELPERS
    + r"""
  return boxes.map(e => ({
    name: nameOf(e),
    checked: e.matches('input') ? e.checked : e.getAttribute('aria-checked') === 'true',
    required: !!(e.required || e.getAttribute('aria-required') === 'true'),
    shown: shown(e),
    label_shown: labelsOf(e).some(shown),
  }));
}"""
)
# Tick a checkbox whose own box is hidden through its visible label; ticked or not.
CLICK_LABEL_JS = (
    "(e) => {"
    + _JS_HELPERS
    + r"""
  const label = labelsOf(e).find(shown);
  if (label) label.click();
  return e.matches('input') ? e.checked : e.getAttribute('aria-checked') === 'true';
}"""
)

# Required controls near the Send button that are still empty, by their names.
EMPTY_REQUIRED_JS = (
    "(button) => {"
    + _JS_HELPERS
    + r"""
  const scope = button.closest('form') || regionOf([button]) || document;
  const names = [];
  for (const e of scope.querySelectorAll(FIELDS + ', [role=radiogroup], [aria-required=true]')) {
    if (!(e.required || e.getAttribute('aria-required') === 'true')) continue;
    if (!shown(e) && !labelsOf(e).some(shown)) continue;
    const role = e.getAttribute('role');
    let empty;
    if (e.type === 'checkbox') empty = !e.checked;
    else if (e.type === 'radio')
      empty = !scope.querySelector(`input[type=radio][name="${CSS.escape(e.name)}"]:checked`);
    else if (role === 'checkbox' || role === 'radio')
      empty = e.getAttribute('aria-checked') !== 'true';
    else if (role === 'radiogroup')
      empty = !e.querySelector('[role=radio][aria-checked=true], input[type=radio]:checked');
    else if (e.matches('input, textarea, select')) empty = !String(e.value || '').trim();
    else empty = !String(e.value || e.innerText || '').trim();
    if (!empty) continue;
    const name = nameOf(e) || e.getAttribute('name') || e.id || e.tagName.toLowerCase();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}"""
)

# Is a control disabled, by itself or by what holds it; and the opposite.
DISABLED_JS = """e => !!(e.disabled || e.getAttribute('aria-disabled') === 'true'
  || e.closest('[aria-disabled=true]') || e.closest('fieldset[disabled]'))"""
ENABLED_JS = f"e => !({DISABLED_JS})(e)"

# What the visible step of a form consists of; it changes when the next step shows.
STEP_SIGNATURE_JS = (
    "() => {"
    + _JS_HELPERS
    + r"""
  const parts = [location.href];
  for (const e of document.querySelectorAll(FIELDS + ', button, [role=button]'))
    if (shown(e)) parts.push(e.tagName + '|' + (e.type || '') + '|' + (e.name || e.id || '')
                             + '|' + nameOf(e).slice(0, 80));
  return parts.join('\n');
}"""
)
# What the page's alerts say, joined.
ALERT_TEXT_JS = """() => Array.from(document.querySelectorAll('[role=alert]'))
  .map(a => (a.innerText || '').trim()).filter(Boolean).join('; ').slice(0, 300)"""
# True once the visible step, or what its alerts say, is no longer the one given.
STEP_CHANGED_JS = (
    f"([before, alert]) => ({STEP_SIGNATURE_JS})() !== before"
    f" || (({ALERT_TEXT_JS})() || alert) !== alert"
)

# Which question a "yes" radio answers: the text of the smallest part of the page that
# holds its group and more than the answers, or the text just before the group.
RADIO_QUESTION_JS = (
    "(e) => {"
    + _JS_HELPERS
    + r"""
  let box = e.closest('[role=radiogroup], fieldset, [role=group]');
  let radios = box ? Array.from(box.querySelectorAll('input[type=radio], [role=radio]')) : [e];
  if (!box && e.name) {
    radios = Array.from(document.querySelectorAll(
      `input[type=radio][name="${CSS.escape(e.name)}"]`));
    box = e.parentElement;
    while (box && !radios.every(r => box.contains(r))) box = box.parentElement;
  }
  box = box || e.parentElement;
  const answers = radios.map(nameOf).join(' ').replace(/\s+/g, '').length;
  const says = el => (nameOf(el) + ' ' + textOf(el)).replace(/\s+/g, ' ');
  for (let i = 0; box && i < 4; i++, box = box.parentElement) {
    if (says(box).replace(/\s+/g, '').length > 2 * answers + 12) return says(box).slice(0, 600);
    const before = box.previousElementSibling;
    if (before && textOf(before).trim()) return (textOf(before) + ' ' + says(box)).slice(0, 600);
  }
  return '';
}"""
)

# The language the page declares (its `lang` attribute), or ''.
PAGE_LANG_JS = "document.documentElement.lang || ''"

# An element's tag, in lower case.
TAG_NAME_JS = "e => e.tagName.toLowerCase()"

# The options of a <select>: what each sends and what it shows.
SELECT_OPTIONS_JS = "s => Array.from(s.options).map(o => ({value: o.value, label: o.label.trim()}))"

# What kind of text box an element is: its tag and its `type`, in lower case.
FIELD_KIND_JS = (
    "e => ({tag: e.tagName.toLowerCase(), type: (e.getAttribute('type') || '').toLowerCase()})"
)

# Where a control leads: the link it is in, or ''.
LINK_TARGET_JS = "e => (e.closest('a[href]') || {}).href || ''"
