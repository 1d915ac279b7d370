// Driftstopp admin: small enhancements only; every page works without this file.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  // After a refused form, move focus to the list of errors so it is read out first.
  var summary = document.querySelector('[data-focus]');
  if (summary) summary.focus();

  // CSV import: read a chosen file into the text field, so the form stays a plain POST.
  document.querySelectorAll('input[type=file][data-fills]').forEach(function (input) {
    var wrapper = input.closest('.js-only');
    if (wrapper) wrapper.hidden = false;
    var target = document.getElementById(input.getAttribute('data-fills'));
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file || !target) return;
      file.text().then(function (text) {
        target.value = text;
      });
    });
  });
});
