/*
 * PairMap (not third-party code): tell Leaflet where its default marker images are.
 *
 * Leaflet 1.9.4 guesses L.Icon.Default.imagePath from the computed style of
 * leaflet.css. streamlit-folium only adds the CSS <link> after the scripts have
 * run, so the guess falls back to the <link> href. That fallback yields
 * ".../vendor/leafletmarker-icon.png" (no "/images/"), which is a 404. This
 * script is loaded straight after leaflet.js and sets the path from its own URL:
 * <anything>/vendor/pairmap/leaflet-icon-path.js -> <anything>/vendor/leaflet/images/
 */
(function () {
  var script = document.currentScript;
  if (!window.L || !script || typeof L.Icon.Default.imagePath === 'string') {
    return;
  }
  L.Icon.Default.imagePath = script.src.replace(/[^\/]+\/[^\/]*$/, 'leaflet/images/');
})();
