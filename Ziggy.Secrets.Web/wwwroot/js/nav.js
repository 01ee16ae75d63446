// The main menu: on narrow screens the topbar shows a Menu button that opens every link; Escape closes it.
(function () {
  'use strict';
  function init() {
    var button = document.querySelector('.menu-button');
    var menu = button && document.getElementById(button.getAttribute('aria-controls'));
    if (!button || !menu) return;
    button.hidden = false;
    button.closest('.topbar').classList.add('has-menu');

    function set(open) {
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      menu.classList.toggle('open', open);
    }

    button.addEventListener('click', function () {
      set(button.getAttribute('aria-expanded') !== 'true');
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
        set(false);
        button.focus();
      }
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
