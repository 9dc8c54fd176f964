/* Added to every page the suite serves: reports what the tool does on the page, without
   touching it. Every input, change, and click on a [data-probe] element is a GET to
   /ajax/probe/, never a submission. */
(function () {
  function report(q) { try { fetch('/ajax/probe/?' + new URLSearchParams(q)); } catch (e) {} }
  function field(kind) {
    return function (e) {
      var t = e.target;
      report({kind: kind, name: t.name || t.id || '', length: String((t.value || '').length)});
    };
  }
  document.addEventListener('input', field('typed'), true);
  document.addEventListener('change', field('changed'), true);
  document.addEventListener('click', function (e) {
    var t = e.target.closest && e.target.closest('[data-probe]');
    if (t) report({kind: 'click', what: t.getAttribute('data-probe')});
  }, true);
})();
