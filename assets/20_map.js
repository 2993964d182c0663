/* Map explorer: grid cell renderers and row rules, and an accessible name for the period slider. */
(function () {
  // The ranking's territory cell: the name, and its department on a second, quieter line.
  var cells = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
  cells.MapTerritoryCell = function (props) {
    var d = props.data;
    if (!d) { return null; }
    var e = window.React.createElement;
    var kids = [e('span', {className: 'map-cell-name', key: 'n'}, d.name)];
    if (d.department) { kids.push(e('span', {className: 'map-cell-dept', key: 'd'}, d.department)); }
    return e('div', {className: 'map-cell-territory'}, kids);
  };
  // Row class rule: the territory selected on the map or in the table (set by the clientside
  // callback on `map-rank-focus`), by id, so the mark survives the grid reloading its blocks.
  var fns = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  // Value formatters of the ranking's columns ('—' for a blank, d3 formats as the figure's hover).
  fns.mapNum = function (params, decimals, d3) {  // d3: the grid's, passed by the expression
    return params.value == null ? '—' : d3.format(',.' + decimals + 'f')(params.value);
  };
  fns.mapRank = function (params) {
    return params.value == null ? '—' : params.value + (params.data && params.data.tied ? ' =' : '');
  };
  fns.mapValue = function (params, fmt, d3) {  // ⚠ after a value resting on too few events
    if (params.value == null) { return '—'; }
    return d3.format(fmt)(params.value) + (params.data && params.data.flag ? ' ⚠' : '');
  };
  fns.mapIsSelected = function (params) {
    var sel = window.atalayaMap && window.atalayaMap.selected;
    return !!(sel && params.data && params.data.territory_id === sel);
  };

  // The period slider's thumb gets an accessible name (dcc.Slider has no aria props).
  function name() {
    document.querySelectorAll('#map-period [role="slider"]').forEach(function (thumb) {
      if (!thumb.getAttribute('aria-labelledby')) {
        thumb.setAttribute('aria-labelledby', 'map-period-title map-period-label');
      }
    });
  }
  new MutationObserver(name).observe(document.documentElement, {childList: true, subtree: true});
})();
