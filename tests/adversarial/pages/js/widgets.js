/* Custom controls as Meta builds them: ARIA radios, checkboxes and lists over hidden
   inputs, buttons that stay disabled until the form is complete, and multi-step forms. */
(function () {
  function changed() { document.dispatchEvent(new Event('widgetchange')); gate(); }

  function satisfied(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    if (el.getAttribute('role') === 'checkbox') return el.getAttribute('aria-checked') === 'true';
    if (el.type === 'checkbox') return el.checked;
    if (el.type === 'file') return el.files.length > 0;
    var same = el.getAttribute('data-same-as');
    if (same) {
      var other = document.getElementById(same);
      return el.value.trim() !== '' && other && other.value.trim() === el.value.trim();
    }
    return el.value.trim() !== '';
  }

  function gate() {
    document.querySelectorAll('[data-requires]').forEach(function (button) {
      var ok = button.getAttribute('data-requires').split(' ').every(satisfied);
      if (button.tagName === 'BUTTON') button.disabled = !ok;
      else button.setAttribute('aria-disabled', ok ? 'false' : 'true');
    });
  }
  window.__gate = gate;

  document.addEventListener('click', function (e) {
    var radio = e.target.closest('[role=radio]');
    if (radio && radio.closest('[role=radiogroup][data-input]')) {
      var group = radio.closest('[role=radiogroup]');
      group.querySelectorAll('[role=radio]').forEach(function (r) {
        r.setAttribute('aria-checked', r === radio ? 'true' : 'false');
      });
      document.getElementById(group.getAttribute('data-input')).value = radio.getAttribute('data-value');
      changed();
      return;
    }
    var box = e.target.closest('[role=checkbox][data-input]');
    if (box) {
      var on = box.getAttribute('aria-checked') !== 'true';
      box.setAttribute('aria-checked', on ? 'true' : 'false');
      document.getElementById(box.getAttribute('data-input')).value = on ? 'on' : '';
      changed();
      return;
    }
    var option = e.target.closest('[role=option][data-value]');
    if (option) {
      e.stopPropagation();
      var combo = option.closest('[role=combobox]');
      document.getElementById(combo.getAttribute('data-input')).value = option.getAttribute('data-value');
      combo.querySelector('[data-shown]').textContent = option.textContent;
      option.parentNode.hidden = true;
      combo.setAttribute('aria-expanded', 'false');
      changed();
      return;
    }
    var list = e.target.closest('[role=combobox][data-input]');
    if (list) {
      list.querySelector('[role=listbox]').hidden = false;
      list.setAttribute('aria-expanded', 'true');
      return;
    }
    var next = e.target.closest('[data-next]');
    if (next && next.getAttribute('aria-disabled') !== 'true' && !next.disabled) {
      var step = next.closest('[data-step]');
      var missing = (next.getAttribute('data-needs') || '').split(' ').filter(function (id) {
        return id && !satisfied(id);
      });
      var alert = step.querySelector('[role=alert]');
      if (missing.length) { if (alert) alert.textContent = next.getAttribute('data-missing'); return; }
      step.hidden = true;
      document.getElementById(next.getAttribute('data-next')).hidden = false;
      gate();
    }
  }, false);

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!t.getAttribute) return;
    var role = t.getAttribute('role');
    if (['button', 'radio', 'checkbox', 'option', 'combobox'].indexOf(role) < 0) return;
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    t.click();
  });
  document.addEventListener('input', gate, true);
  document.addEventListener('change', gate, true);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', gate);
  else gate();
})();
