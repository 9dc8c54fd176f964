/* Sending a form in place, as Meta's help forms do: a fetch (or an XHR) to the form's
   data-action, and the answer shown in the region named by data-region.

   data-send="fetch|xhr"   how the form is sent
   data-region="id"        what the answer replaces (default: the form itself)
   data-optimistic="text"  shown at once after the click, whatever the server answers
   data-telemetry          a logging POST goes out first (not the objection)
   data-delay="ms"         the answer is shown this long after it arrived (a spinner first)
   data-reveal="id"        on any answer, hide the form and show this element (already on
                           the page before Send) instead of showing the answer */
(function () {
  function fields(root) {
    var body = new URLSearchParams();
    root.querySelectorAll('input[name],select[name],textarea[name]').forEach(function (el) {
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
      if (el.type === 'file') return;
      body.append(el.name, el.value);
    });
    return body.toString();
  }
  function region(form) {
    return document.getElementById(form.getAttribute('data-region')) || form;
  }
  function show(form, html) { region(form).innerHTML = html; window.scrollTo(0, 0); }
  function escape(text) {
    var d = document.createElement('div'); d.textContent = text; return d.innerHTML;
  }
  function answered(form, status, type, text) {
    var delay = Number(form.getAttribute('data-delay') || 0);
    if (delay && !form.hasAttribute('data-waited')) {
      form.setAttribute('data-waited', '');
      show(form, '<div role="progressbar" aria-busy="true">…</div>');
      setTimeout(function () { answered(form, status, type, text); }, delay);
      return;
    }
    var reveal = form.getAttribute('data-reveal');
    if (reveal) {
      form.hidden = true;
      document.getElementById(reveal).hidden = false;
      return;
    }
    if (form.hasAttribute('data-optimistic')) return;  // it said so already
    if (type.indexOf('json') >= 0) {
      var data = JSON.parse(text || '{}');
      if (data.error) {
        show(form, '<div role="alert"><h2>' + escape(data.errorSummary) + '</h2><p>' +
             escape(data.errorDescription || '') + '</p></div>');
      } else if (data.payload) {
        show(form, '<h2>' + escape(data.payload.title) + '</h2><p>' + escape(data.payload.body) + '</p>');
      } else {
        var button = form.querySelector('[data-send-button]');
        if (button) button.removeAttribute('aria-busy');
      }
      return;
    }
    show(form, text);
  }
  function lost(form) {
    if (form.hasAttribute('data-optimistic')) return;
    var alert = form.querySelector('[data-send-error]');
    if (alert) alert.textContent = alert.getAttribute('data-send-error');
  }
  function send(form) {
    var body = fields(form);
    var action = form.getAttribute('data-action');
    var headers = {'content-type': 'application/x-www-form-urlencoded'};
    if (form.hasAttribute('data-optimistic')) {
      show(form, form.getAttribute('data-optimistic'));
    }
    if (form.hasAttribute('data-telemetry')) {
      fetch('/ajax/bz/', {method: 'POST', headers: headers, body: 'event=contact_form_send'});
    }
    if (form.getAttribute('data-send') === 'xhr') {
      var xhr = new XMLHttpRequest();
      xhr.open('POST', action);
      xhr.setRequestHeader('content-type', headers['content-type']);
      xhr.onload = function () {
        answered(form, xhr.status, xhr.getResponseHeader('content-type') || '', xhr.responseText);
      };
      xhr.onerror = function () { lost(form); };
      xhr.send(body);
      return;
    }
    fetch(action, {method: 'POST', headers: headers, body: body, credentials: 'same-origin'})
      .then(function (r) {
        return r.text().then(function (text) {
          answered(form, r.status, r.headers.get('content-type') || '', text);
        });
      })
      .catch(function () { lost(form); });
  }
  document.addEventListener('click', function (e) {
    var button = e.target.closest('[data-send-button]');
    if (!button || button.getAttribute('aria-disabled') === 'true' || button.disabled) return;
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    send(button.closest('[data-send]'));
  });
})();
