// Monthly reports page: a report takes a few seconds to build, so say so while it is prepared,
// and say when it has arrived (the server sets a cookie carrying the token of the request).
(function () {
  "use strict";
  var status = document.getElementById("report-status");
  if (!status) return;
  var timer = null;

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? match[1] : "";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.report-link");
    if (!link) return;
    var token = Math.random().toString(36).slice(2, 12);
    var url = new URL(link.href);
    url.searchParams.set("dl", token);
    link.href = url.toString();
    status.textContent = status.dataset.preparing;
    clearInterval(timer);
    var tries = 0;
    timer = setInterval(function () {
      tries += 1;
      if (cookie("teranga_report") === token) {
        status.textContent = status.dataset.ready;
        clearInterval(timer);
      } else if (tries > 240) {
        status.textContent = "";
        clearInterval(timer);
      }
    }, 500);
  });
})();
