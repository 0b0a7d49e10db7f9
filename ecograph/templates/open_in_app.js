// Opens *url* (a page of the explorer, such as a profile) from a map's frame: a link made in the
// app's own document navigates the app, which the frame cannot; outside the explorer, a new tab.
// Shared by network.html and sigma.html.
function ecographOpenInApp(url) {
  try {
    var doc = window.parent.document;
    var a = doc.createElement("a");
    a.href = url;
    a.target = "_self";
    doc.body.appendChild(a);
    a.click();
    a.remove();
  } catch (err) {
    window.open(url, "_blank");
  }
}
