/* A local stand-in for the theme's `iframe-worker` shim, so search works when the site is
   opened from a folder (file://) with no outside host. There the browser refuses
   `new Worker(...)`, so the search worker's script runs in a hidden frame of this page and
   talks to the page through the same `postMessage` / "message" events a worker uses.
   Over http(s) it does nothing. Served from assets/ and listed before the theme's script
   (mkdocs.yml, extra.polyfills). */
(function () {
  "use strict";
  if (location.protocol !== "file:") {
    return;
  }

  function loadScript(frameWindow, src) {
    return new Promise(function (resolve, reject) {
      var script = frameWindow.document.createElement("script");
      script.src = new URL(src, location.href).href;
      script.onload = resolve;
      script.onerror = function () {
        reject(new Error("script tidak dapat dimuat: " + src));
      };
      frameWindow.document.head.appendChild(script);
    });
  }

  class IFrameWorker extends EventTarget {
    constructor(url) {
      super();
      var worker = this;
      this.onmessage = null;
      this.onerror = null;
      this.ready = false;
      this.queue = [];
      this.frame = document.createElement("iframe");
      this.frame.hidden = true;
      this.frame.tabIndex = -1;
      this.frame.setAttribute("aria-hidden", "true");
      (document.body || document.documentElement).appendChild(this.frame);
      var frameWindow = this.frame.contentWindow;
      // Inside the frame, the worker's `postMessage(x)` reaches this object's listeners.
      frameWindow.postMessage = function (data) {
        setTimeout(function () {
          worker.deliver(data);
        });
      };
      frameWindow.importScripts = function () {
        var urls = Array.prototype.slice.call(arguments);
        return urls.reduce(function (done, src) {
          return done.then(function () {
            return loadScript(frameWindow, src);
          });
        }, Promise.resolve());
      };
      loadScript(frameWindow, url).then(
        function () {
          worker.ready = true;
          worker.queue.splice(0).forEach(function (data) {
            worker.postMessage(data);
          });
        },
        function (error) {
          var event = new ErrorEvent("error", { message: error.message });
          if (typeof worker.onerror === "function") {
            worker.onerror(event);
          }
          worker.dispatchEvent(event);
        }
      );
    }

    postMessage(data) {
      if (!this.ready) {
        this.queue.push(data);
        return;
      }
      var frameWindow = this.frame.contentWindow;
      setTimeout(function () {
        frameWindow.dispatchEvent(new frameWindow.MessageEvent("message", { data: data }));
      });
    }

    deliver(data) {
      var event = new MessageEvent("message", { data: data });
      if (typeof this.onmessage === "function") {
        this.onmessage(event);
      }
      this.dispatchEvent(event);
    }

    terminate() {
      this.frame.remove();
    }
  }

  window.IFrameWorker = IFrameWorker;
  window.Worker = IFrameWorker;
})();
