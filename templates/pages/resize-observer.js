/* A small local stand-in for ResizeObserver, loaded before the theme's script.
   Browsers without ResizeObserver (older than Chrome 64, Firefox 69, Safari 13.1) would make
   the Material theme fetch a polyfill from an outside host, which the intranet cannot reach.
   This version reports element sizes on window resize and on a slow timer. */
(function () {
  "use strict";
  if (typeof window.ResizeObserver !== "undefined") {
    return;
  }
  function LocalResizeObserver(callback) {
    this.callback = callback;
    this.targets = [];
    this.sizes = [];
    this.timer = null;
  }
  LocalResizeObserver.prototype.check = function () {
    var entries = [];
    for (var i = 0; i < this.targets.length; i++) {
      var el = this.targets[i];
      var size = el.offsetWidth + "x" + el.offsetHeight;
      if (size !== this.sizes[i]) {
        this.sizes[i] = size;
        var rect = el.getBoundingClientRect();
        entries.push({ target: el, contentRect: rect });
      }
    }
    if (entries.length) {
      this.callback(entries, this);
    }
  };
  LocalResizeObserver.prototype.observe = function (el) {
    if (this.targets.indexOf(el) >= 0) {
      return;
    }
    this.targets.push(el);
    this.sizes.push("");
    var self = this;
    if (!this.timer) {
      this.listener = function () { self.check(); };
      window.addEventListener("resize", this.listener);
      this.timer = window.setInterval(this.listener, 500);
    }
    window.setTimeout(function () { self.check(); }, 0);
  };
  LocalResizeObserver.prototype.unobserve = function (el) {
    var i = this.targets.indexOf(el);
    if (i >= 0) {
      this.targets.splice(i, 1);
      this.sizes.splice(i, 1);
    }
  };
  LocalResizeObserver.prototype.disconnect = function () {
    this.targets = [];
    this.sizes = [];
    if (this.timer) {
      window.clearInterval(this.timer);
      window.removeEventListener("resize", this.listener);
      this.timer = null;
    }
  };
  window.ResizeObserver = LocalResizeObserver;
})();
